// Issue 10: MediCall terminating TLS itself (MEDICALL_TLS_CERT/KEY, a certificate this test makes),
// with the browsers on two other hosts (tests/lib/netns.mjs) as on a LAN: the SDK test page and the
// web app are secure contexts over HTTPS, signaling runs over WSS, video decodes both ways; the web
// app's call on a phone-sized viewport is saved as tests/artifacts/https-lan-phone.png.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from '../lib/browser.mjs';
import { decodesVideoOf, sdkAttendeeOn } from '../lib/host-call.mjs';
import { createHost } from '../lib/netns.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { REPO_ROOT, startServer } from '../lib/server.mjs';
import { joinThroughUi, seesVideoOf, trackPeerConnections } from '../lib/web-app.mjs';

const run = promisify(execFile);
const WEB_DIST = process.env.MEDICALL_WEB_DIST || path.join(REPO_ROOT, 'web', 'dist');
const ARTIFACTS = path.join(REPO_ROOT, 'tests', 'artifacts');
let dir;
let tls;
const hosts = [];
const servers = [];
const browsers = [];

async function makeCertificate(ips) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=medicall-lan-test',
    '-addext', `subjectAltName=${ips.map((ip) => `IP:${ip}`).join(',')}`]);
  const { stdout } = await run('sh', ['-c',
    `openssl x509 -in ${cert} -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`]);
  return { key, cert, pem: await readFile(cert, 'utf8'), spki: stdout.trim() };
}

async function tlsServer(webDir) {
  const server = await startServer({
    args: ['--web-dir', webDir],
    env: { MEDICALL_TLS_CERT: tls.cert, MEDICALL_TLS_KEY: tls.key },
    tls: { ca: tls.pem },
  });
  servers.push(server);
  return server;
}

async function browserOn(host, viewport) {
  const b = await launchBrowser({
    executablePath: await host.chromiumPath(),
    extraArgs: [`--ignore-certificate-errors-spki-list=${tls.spki}`],
  });
  browsers.push(b);
  if (viewport) await b.page.setViewportSize(viewport);
  return b;
}

function joinInfo(server, host, room) {
  return new Promise((resolve, reject) => {
    const req = https.request(`https://127.0.0.1:${server.port}/join`, {
      method: 'POST', ca: tls.pem, headers: { 'content-type': 'application/json', host: `${host}:${server.port}` },
      servername: '127.0.0.1',
    }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(data).JoinInfo) : reject(new Error(data))));
    });
    req.on('error', reject);
    req.write(JSON.stringify({ name: 'Probe', roomId: room }));
    req.end();
  });
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'medicall-lan-'));
  hosts.push(await createHost(7), await createHost(8));
  tls = await makeCertificate(['127.0.0.1', hosts[0].gateway, hosts[1].gateway]);
});

after(async () => {
  while (browsers.length) await browsers.pop().close();
  for (const s of servers) await s.stop();
  for (const h of hosts) await h.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('MediCall terminating TLS, clients on a LAN', () => {
  test('the SDK on two hosts calls over HTTPS and WSS; MediaPlacement is wss/https', async () => {
    const server = await tlsServer(await buildSdkPage());
    const room = `lan-sdk-${Date.now()}`;
    const placement = (await joinInfo(server, hosts[0].gateway, room)).Meeting.MediaPlacement;
    assert.match(placement.SignalingUrl, /^wss:\/\//);
    assert.match(placement.EventIngestionUrl, /^https:\/\//);
    const extraArgs = [`--ignore-certificate-errors-spki-list=${tls.spki}`];
    const alice = await sdkAttendeeOn(hosts[0], { name: 'Alice', room, origin: `https://${hosts[0].gateway}:${server.port}`,
      browsers, extraArgs });
    const bob = await sdkAttendeeOn(hosts[1], { name: 'Bob', room, origin: `https://${hosts[1].gateway}:${server.port}`,
      browsers, extraArgs });
    await decodesVideoOf(alice, bob);
    await decodesVideoOf(bob, alice);
    while (browsers.length) await browsers.pop().close();
  });

  test('the web app over HTTPS on a LAN address, one person on a phone-sized screen (screenshot)', async () => {
    const server = await tlsServer(WEB_DIST);
    const room = `lan-app-${Date.now()}`;
    const alice = { ...(await browserOn(hosts[0], { width: 1280, height: 800 })), name: 'Alice' };
    const bob = { ...(await browserOn(hosts[1], { width: 390, height: 844 })), name: 'Bob' };
    for (const p of [alice, bob]) await p.context.addInitScript(trackPeerConnections);
    await joinThroughUi(alice, `https://${hosts[0].gateway}:${server.port}`, room);
    await joinThroughUi(bob, `https://${hosts[1].gateway}:${server.port}`, room);
    await seesVideoOf(alice, bob);
    await seesVideoOf(bob, alice);
    assert.equal(await bob.page.evaluate(() => window.isSecureContext), true);
    await mkdir(ARTIFACTS, { recursive: true });
    await bob.page.screenshot({ path: path.join(ARTIFACTS, 'https-lan-phone.png') });
  });
});
