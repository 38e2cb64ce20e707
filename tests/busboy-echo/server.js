// Parses each POST with busboy and answers with what it parsed, in the reference server's shape by
// default, so the same verifier grades both:
//   {code:0, data:{fields:[{name,value}], files:[{field,filename,contentType,size,sha256}]}}
// Options, each a behaviour real endpoints have:
//   --fields object         formData echoed as an object ({name: value}, a repeated name as an array),
//                           as formidable and Flask's request.form give it
//   --charset latin1        busboy's own default for names: raw UTF-8 names come out garbled
//   --max-files N           one-file endpoints: with --over refuse, a JSON 413 past N files;
//   --over refuse|keep      with --over keep, the first N kept, the rest dropped, and a 200
//   --answer key            answers {code:0, data:{key, size}} with no URL; stored files are served
//                           at GET /files/<sha256> and GET /blob?key=<sha256>
// Listens on 127.0.0.1 and an ephemeral port; prints "listening <port>" once ready.
'use strict';
const http = require('http');
const crypto = require('crypto');
const busboy = require('busboy');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const fieldsShape = arg('--fields', 'pairs');
const charset = arg('--charset', 'utf8');
const maxFiles = Number(arg('--max-files', '0'));
const over = arg('--over', 'refuse');
const answerShape = arg('--answer', 'echo');
const stored = new Map();

const server = http.createServer((req, res) => {
  const answer = (status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const url = new URL(req.url, 'http://localhost');
  if (req.method === 'GET') {
    if (url.pathname === '/health') return answer(200, { status: 'ok' });
    const key = url.pathname.startsWith('/files/') ? url.pathname.slice(7) : url.pathname === '/blob' ? url.searchParams.get('key') : null;
    const bytes = key && stored.get(key);
    if (!bytes) return answer(404, { code: 404, error: 'no such file' });
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
    return res.end(bytes);
  }
  if (req.method !== 'POST') return answer(405, { code: 405, error: 'POST only' });
  let parser;
  try {
    // utf8: raw UTF-8 filenames (what mini-programs send) would otherwise arrive as mojibake.
    parser = busboy({ headers: req.headers, defParamCharset: charset, limits: { fieldSize: 4 * 1024 * 1024 } });
  } catch (e) {
    return answer(400, { code: 400, error: String(e.message) });
  }
  const fields = [];
  const files = [];
  const pending = [];
  let refused = false;
  parser.on('field', (name, value) => fields.push({ name, value }));
  parser.on('file', (name, stream, info) => {
    if (maxFiles > 0 && files.length >= maxFiles) {
      stream.resume();
      if (over === 'refuse' && !refused) {
        refused = true;
        answer(413, { code: 413, error: `at most ${maxFiles} file(s) per request` });
      }
      return;
    }
    const hash = crypto.createHash('sha256');
    const chunks = answerShape === 'key' ? [] : null;
    const entry = { field: name, filename: info.filename, contentType: info.mimeType, size: 0, sha256: '' };
    files.push(entry);
    pending.push(new Promise((resolve) => {
      stream.on('data', (chunk) => { entry.size += chunk.length; hash.update(chunk); if (chunks) chunks.push(chunk); });
      stream.on('end', () => {
        entry.sha256 = hash.digest('hex');
        if (chunks) stored.set(entry.sha256, Buffer.concat(chunks));
        resolve();
      });
    }));
  });
  parser.on('error', (e) => { if (!res.headersSent) answer(400, { code: 400, error: String(e.message) }); });
  parser.on('close', async () => {
    await Promise.all(pending);
    if (refused || res.headersSent) return;
    if (files.length === 0) return answer(400, { code: 400, error: 'no file' });
    if (answerShape === 'key') return answer(200, { code: 0, data: { key: files[0].sha256, size: files[0].size } });
    let echoed = fields;
    if (fieldsShape === 'object') {
      // No prototype: a field named constructor or __proto__ is a field like any other.
      echoed = Object.create(null);
      for (const { name, value } of fields) {
        if (!Object.prototype.hasOwnProperty.call(echoed, name)) echoed[name] = value;
        else echoed[name] = [].concat(echoed[name], value);
      }
    }
    const first = files[0];
    answer(200, { code: 0, msg: 'ok', data: { ...first, fields: echoed, files } });
  });
  req.pipe(parser);
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
