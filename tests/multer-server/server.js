// The upload endpoint a tutorial would write: express 4, multer 2 with disk storage,
// upload.single('file'), a file size limit, express's default error handler, and the answer
// echoing req.body, the formData as multer hands it over (bracket names decoded into nested
// objects by append-field). That is exactly what real apps ship and what the suite must grade.
// `node server.js --utf8` sets multer's defParamCharset to utf8, the fix for garbled names.
// Listens on 127.0.0.1 and an ephemeral port; prints "listening <port>" once ready.
'use strict';
const express = require('express');
const multer = require('multer');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uc-multer-'));
const options = { dest: dir, limits: { fileSize: 32 * 1024 * 1024 } };
if (process.argv.includes('--utf8')) options.defParamCharset = 'utf8';
const upload = multer(options);
const app = express();

app.post('/upload', upload.single('file'), (req, res) => {
  if (!req.file) return res.status(400).json({ code: 400, error: 'no file under field "file"' });
  const bytes = fs.readFileSync(req.file.path);
  res.json({
    code: 0,
    data: {
      url: `/files/${req.file.filename}`,
      field: req.file.fieldname,
      filename: req.file.originalname,
      contentType: req.file.mimetype,
      size: req.file.size,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      fields: req.body,
    },
  });
});
app.get('/files/:name', (req, res) => res.sendFile(path.join(dir, path.basename(req.params.name))));
app.get('/health', (req, res) => res.json({ status: 'ok' }));

const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.stdin.on('end', () => { fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); });
process.stdin.resume();
