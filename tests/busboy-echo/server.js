// Parses each POST with busboy and answers in the reference server's shape, so the same
// verifier grades both: {code:0, data:{fields:[{name,value}], files:[{field,filename,contentType,size,sha256}]}}.
// Listens on 127.0.0.1 and an ephemeral port; prints "listening <port>" once ready.
'use strict';
const http = require('http');
const crypto = require('crypto');
const busboy = require('busboy');

const server = http.createServer((req, res) => {
  const answer = (status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  if (req.method !== 'POST') return answer(404, { code: 404, error: 'POST only' });
  let parser;
  try {
    // utf8: raw UTF-8 filenames (what mini-programs send) would otherwise arrive as mojibake.
    parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fieldSize: 4 * 1024 * 1024 } });
  } catch (e) {
    return answer(400, { code: 400, error: String(e.message) });
  }
  const fields = [];
  const files = [];
  const pending = [];
  parser.on('field', (name, value) => fields.push({ name, value }));
  parser.on('file', (name, stream, info) => {
    const hash = crypto.createHash('sha256');
    const entry = { field: name, filename: info.filename, contentType: info.mimeType, size: 0, sha256: '' };
    files.push(entry);
    pending.push(new Promise((resolve) => {
      stream.on('data', (chunk) => { entry.size += chunk.length; hash.update(chunk); });
      stream.on('end', () => { entry.sha256 = hash.digest('hex'); resolve(); });
    }));
  });
  parser.on('error', (e) => answer(400, { code: 400, error: String(e.message) }));
  parser.on('close', async () => {
    await Promise.all(pending);
    const first = files[0] || {};
    answer(200, { code: 0, msg: 'ok', data: { ...first, fields, files } });
  });
  req.pipe(parser);
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
