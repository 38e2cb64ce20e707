// A mini-program's credential backend, as real ones are written: each provider's official SDK signs a
// POST form for one upload. It signs with the fake keys the test hands it (UC_* variables, the reference
// server's StorageKeys) so that the reference server's buckets, which check signatures as the providers
// document them, can be cross-checked against what the SDKs produce.
//   node server.js <buckets base URL>   prints "listening <port> <s3rver port>" once ready
// It also runs s3rver, a third-party fake S3 that checks a form's shape but never its policy or signature.
// Loopback only; it exits when its stdin closes.
'use strict';
const http = require('http');
const os = require('os');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { S3Client } = require('@aws-sdk/client-s3');
const { createPresignedPost } = require('@aws-sdk/s3-presigned-post');
const OSS = require('ali-oss');
const ossSign = require('ali-oss/lib/common/signUtils');
const COS = require('cos-nodejs-sdk-v5');
const qiniu = require('qiniu');
const S3rver = require('s3rver');

const base = process.argv[2];
const env = (name) => process.env[name] || (() => { throw new Error(`${name} is not set`); })();
const bucket = 'uc-bucket';
const prefix = 'uploads/';
const max = Number(process.env.UC_MAX_BYTES || 64 * 1024 * 1024);
// Short in the tests, so that the suite's expired-credential case waits seconds, not minutes.
const expires = Number(process.env.UC_EXPIRES || 600);

function s3Client(endpoint, id, secret) {
  return new S3Client({ region: env('UC_S3_REGION'), endpoint, forcePathStyle: true,
    credentials: { accessKeyId: id, secretAccessKey: secret } });
}

async function s3(endpoint) {
  const post = await createPresignedPost(s3Client(endpoint, env('UC_S3_ID'), env('UC_S3_SECRET')), {
    Bucket: bucket, Key: prefix + '${filename}', Expires: expires,
    Conditions: [['content-length-range', 0, max], ['starts-with', '$key', prefix],
      ['starts-with', '$x-amz-meta-app', ''], ['starts-with', '$success_action_status', '']],
  });
  return { url: post.url, fields: post.fields };
}

function ossPolicy() {
  return { expiration: new Date(Date.now() + expires * 1000).toISOString(),
    conditions: [['content-length-range', 0, max], ['starts-with', '$key', prefix]] };
}

function oss() {
  const client = new OSS({ region: 'oss-' + env('UC_OSS_REGION'), accessKeyId: env('UC_OSS_ID'),
    accessKeySecret: env('UC_OSS_SECRET'), bucket });
  const signed = client.calculatePostSignature(ossPolicy());
  return { host: `${base}/oss/${bucket}`, dir: prefix, accessid: signed.OSSAccessKeyId, policy: signed.policy,
    signature: signed.Signature };
}

// OSS V4: the SDK's own V4 helpers (credential scope and signature), with the base64 policy as the string
// to sign, as Aliyun's PostObject V4 guide says.
function ossV4() {
  const now = new Date();
  const date = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = date.slice(0, 8);
  const region = env('UC_OSS_REGION');
  const credential = ossSign.getCredential(day, region, env('UC_OSS_ID'));
  const policy = ossPolicy();
  policy.conditions.push({ 'x-oss-signature-version': 'OSS4-HMAC-SHA256' }, { 'x-oss-credential': credential },
    { 'x-oss-date': date });
  const encoded = Buffer.from(JSON.stringify(policy)).toString('base64');
  return { host: `${base}/oss/${bucket}`, dir: prefix, version: 'OSS4-HMAC-SHA256', credential, date,
    policy: encoded, signature: ossSign.getSignatureV4(env('UC_OSS_SECRET'), day, region, encoded) };
}

// COS: cos-nodejs-sdk-v5 signs requests (getAuth) but has no POST-policy helper; COS's "POST Object" page
// gives the steps, done here with node's crypto: SignKey = HMAC-SHA1(secret, KeyTime), the signature
// HMAC-SHA1(SignKey, SHA1(policy)). The SDK supplies the key time's format through getAuth's KeyTime.
function cos() {
  const now = Math.floor(Date.now() / 1000);
  const keyTime = `${now - 1};${now + expires}`;
  const policy = JSON.stringify({ expiration: new Date((now + expires) * 1000).toISOString(),
    conditions: [['content-length-range', 0, max], ['starts-with', '$key', prefix], { 'q-sign-algorithm': 'sha1' },
      { 'q-ak': env('UC_COS_ID') }, { 'q-sign-time': keyTime }] });
  // getAuth with this KeyTime must carry it back: the SDK and the form agree on the window.
  const auth = COS.getAuthorization({ SecretId: env('UC_COS_ID'), SecretKey: env('UC_COS_SECRET'), KeyTime: keyTime,
    Method: 'post', Key: '/' });
  if (!auth.includes(`q-key-time=${keyTime}`)) throw new Error('cos getAuthorization ignored KeyTime');
  const signKey = crypto.createHmac('sha1', env('UC_COS_SECRET')).update(keyTime).digest('hex');
  const toSign = crypto.createHash('sha1').update(policy).digest('hex');
  return { host: `${base}/cos/${bucket}`, dir: prefix, policy: Buffer.from(policy).toString('base64'),
    qSignAlgorithm: 'sha1', qAk: env('UC_COS_ID'), qKeyTime: keyTime,
    qSignature: crypto.createHmac('sha1', signKey).update(toSign).digest('hex') };
}

function qiniuToken() {
  const mac = new qiniu.auth.digest.Mac(env('UC_QINIU_ID'), env('UC_QINIU_SECRET'));
  const policy = new qiniu.rs.PutPolicy({ scope: `${bucket}:${prefix}`, isPrefixalScope: 1, expires,
    fsizeLimit: max });
  return { host: `${base}/qiniu`, dir: prefix, token: policy.uploadToken(mac) };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uc-s3rver-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir,
    configureBuckets: [{ name: bucket }] });
  const { port: s3rverPort } = await s3rver.run();
  const signers = {
    s3: () => s3(`${base}/s3`),
    s3rver: () => s3(`http://127.0.0.1:${s3rverPort}`),
    oss, 'oss-v4': ossV4, cos, qiniu: qiniuToken,
  };
  const server = http.createServer(async (req, res) => {
    const name = (req.url || '').split('?')[0].replace('/credential/', '');
    try {
      if (!signers[name]) throw Object.assign(new Error(`no signer '${name}'`), { status: 404 });
      const body = JSON.stringify(await signers[name]());
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } catch (e) {
      res.writeHead(e.status || 500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: e.message }));
    }
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port} ${s3rverPort}\n`));
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

main().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); });
