// Issue 10: MediCall behind a reverse proxy that terminates TLS, with the repository's own nginx
// configuration (deploy/nginx/medicall.conf) and a certificate this test makes. Two Chromium clients
// on two other hosts (tests/lib/netns.mjs) open https://<proxy>/, the SDK's signaling runs over WSS
// through nginx, media goes straight to the server; MediaPlacement carries wss/https URLs from
// MEDICALL_PUBLIC_URL; and the meetings API's "no credentials: loopback only" rule is not
// reachable through the proxy on the same host (nor from loopback at all behind a public URL).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../lib/browser.mjs';
import { decodesVideoOf, sdkAttendeeOn } from '../lib/host-call.mjs';
import { createHost } from '../lib/netns.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { freeTcpPort, REPO_ROOT, startServer } from '../lib/server.mjs';

const run = promisify(execFile);
const PROXY_IP = '10.77.5.1';
let server;
let nginx;
let dir;
let proxyPort;
let spki;
const nginxLogs = [];
const hosts = [];
const browsers = [];

// A self-signed certificate for the proxy's address, and its SPKI hash (Chromium trusts exactly it).
async function makeCertificate() {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=medicall-test', '-addext', `subjectAltName=IP:${PROXY_IP}`]);
  const { stdout } = await run('sh', ['-c',
    `openssl x509 -in ${cert} -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`]);
  return { key, cert, spki: stdout.trim() };
}

async function startNginx(backendPort, tls) {
  const site = (await readFile(path.join(REPO_ROOT, 'deploy/nginx/medicall.conf'), 'utf8'))
    .replace(/listen 443 ssl;/, `listen ${PROXY_IP}:${proxyPort} ssl;`)
    .replace(/\n\s*listen \[::\]:443 ssl;/, '')
    .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${tls.cert};`)
    .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${tls.key};`)
    .replace(/proxy_pass http:\/\/127\.0\.0\.1:3001;/, `proxy_pass http://127.0.0.1:${backendPort};`)
    // The plain-HTTP redirect server is not needed here (and port 80 is not ours).
    .replace(/# Plain HTTP only redirects[\s\S]*$/, '');
  assert.match(site, /proxy_set_header Upgrade \$http_upgrade;/, 'the shipped config forwards the WebSocket upgrade');
  // Workers as root: they write proxy buffers into this test's private (0700) directory.
  const main = `daemon off;
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${site}
}
`;
  await writeFile(path.join(dir, 'nginx.conf'), main);
  const proc = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => nginxLogs.push(d.toString()));
  proc.stderr.on('data', (d) => nginxLogs.push(d.toString()));
  await waitFor(() => new Promise((resolve) => {
    const s = net.connect(proxyPort, PROXY_IP, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  }), { timeoutMs: 10000, what: `nginx listening (${nginxLogs.join('')})` });
  return proc;
}

function httpsRequest(method, url, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, rejectUnauthorized: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let data = '';
        res.on('data', (d) => { data += d; });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
      });
    req.on('error', reject);
    if (body) req.write(JSON.stringify(body));
    req.end();
  });
}



function attendeeOn(host, name, room) {
  return sdkAttendeeOn(host, { name, room, origin: `https://${PROXY_IP}:${proxyPort}`, browsers,
    extraArgs: [`--ignore-certificate-errors-spki-list=${spki}`] });
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'medicall-proxy-'));
  hosts.push(await createHost(5), await createHost(6));
  const tls = await makeCertificate();
  spki = tls.spki;
  const webDir = await buildSdkPage();
  // Reserve the proxy port first so that MEDICALL_PUBLIC_URL can name it.
  const backendArgs = ['--web-dir', webDir, '--bind', '127.0.0.1'];
  proxyPort = await freeTcpPort();
  const publicUrl = `https://${PROXY_IP}:${proxyPort}`;
  server = await startServer({
    args: backendArgs,
    env: { MEDICALL_PUBLIC_URL: publicUrl, MEDICALL_TRUSTED_PROXIES: '127.0.0.1' },
  });
  nginx = await startNginx(server.port, tls);
});

after(async () => {
  while (browsers.length) await browsers.pop().close();
  nginx?.kill('SIGTERM');
  await server?.stop();
  for (const h of hosts) await h.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('behind nginx terminating TLS (deploy/nginx/medicall.conf)', () => {
  test('/join through the proxy writes wss/https URLs of the public address', async () => {
    const r = await httpsRequest('POST', `https://${PROXY_IP}:${proxyPort}/join`, { name: 'Probe', roomId: `proxy-urls-${Date.now()}` });
    assert.equal(r.status, 200, r.body);
    const placement = JSON.parse(r.body).JoinInfo.Meeting.MediaPlacement;
    assert.match(placement.SignalingUrl, new RegExp(`^wss://${PROXY_IP.replace(/\./g, '\\.')}:${proxyPort}/control/`));
    assert.match(placement.EventIngestionUrl, /^https:\/\//);
  });

  test('the meetings API without credentials is not opened to the Internet by the proxy', async () => {
    const viaProxy = await httpsRequest('POST', `https://${PROXY_IP}:${proxyPort}/meetings`, {
      ClientRequestToken: `t-${Date.now()}`, MediaRegion: 'us-east-1', ExternalMeetingId: 'x' });
    assert.equal(viaProxy.status, 403, viaProxy.body);
    // Behind a public URL not even a direct loopback client is trusted without a signature.
    const direct = await fetch(`${server.url}/meetings`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ClientRequestToken: `u-${Date.now()}`, MediaRegion: 'us-east-1', ExternalMeetingId: 'y' }) });
    assert.equal(direct.status, 403);
  });

  test('two people on two hosts call over HTTPS and WSS through the proxy; media goes direct', async () => {
    const room = `proxy-call-${Date.now()}`;
    const alice = await attendeeOn(hosts[0], 'Alice', room);
    const bob = await attendeeOn(hosts[1], 'Bob', room);
    await decodesVideoOf(alice, bob);
    await decodesVideoOf(bob, alice);
    const pair = (await alice.stats()).remoteCandidate;
    assert.notEqual(pair?.port, proxyPort, 'media does not go through the proxy');
    // nginx logs a WebSocket when it closes: end the call first.
    while (browsers.length) await browsers.pop().close();
    const access = await waitFor(async () => {
      const log = await readFile(path.join(dir, 'access.log'), 'utf8');
      return /GET \/control\/\S+ HTTP\/1\.1" 101/.test(log) ? log : null;
    }, { timeoutMs: 10000, what: 'a 101 for /control/ in the nginx access log' });
    assert.ok(access);
  });
});
