// A small AWS Signature V4 signer on node:crypto, for requests the AWS SDK cannot make (malformed
// bodies, raw fetch). Header form, payload hash signed, service "chime" by default.
import { createHash, createHmac } from 'node:crypto';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

function encode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

// Returns headers (including authorization, x-amz-date, x-amz-content-sha256, host) for a fetch.
export function signRequest({ method, url, headers = {}, body = '', credentials, region = 'us-east-1', service = 'chime', date = new Date() }) {
  const u = new URL(url);
  const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const day = amzDate.slice(0, 8);
  const all = { ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)])) };
  all.host = u.host;
  all['x-amz-date'] = amzDate;
  all['x-amz-content-sha256'] = sha256(body);
  const names = Object.keys(all).sort();
  const canonicalQuery = [...u.searchParams.entries()]
    .map(([k, v]) => [encode(k), encode(v)])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalPath = u.pathname.split('/').map((seg) => encode(seg)).join('/');
  const canonical = [
    method,
    canonicalPath,
    canonicalQuery,
    names.map((n) => `${n}:${all[n].trim().replace(/\s+/g, ' ')}\n`).join(''),
    names.join(';'),
    all['x-amz-content-sha256'],
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac('AWS4' + credentials.secretAccessKey, day), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  const out = { ...all };
  delete out.host;  // fetch sets Host itself (same value)
  out.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return out;
}
