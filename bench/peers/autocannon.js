// node autocannon.js <url> <body-file> <content-type> <connections> <seconds>
// Prints one JSON line: {requests, seconds}.
'use strict';
const autocannon = require('autocannon');
const fs = require('fs');
const [url, bodyFile, contentType, connections, seconds] = process.argv.slice(2);
autocannon({
  url,
  method: 'POST',
  body: fs.readFileSync(bodyFile),
  headers: { 'content-type': contentType },
  connections: Number(connections),
  duration: Number(seconds),
}, (err, result) => {
  if (err) { console.error(err.message); process.exit(1); }
  process.stdout.write(JSON.stringify({ requests: result.requests.total, seconds: Number(seconds), non2xx: result.non2xx, errors: result.errors }) + '\n');
});
