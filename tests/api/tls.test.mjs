// HTTPS and WSS on the real binary: MEDICALL_TLS_CERT/KEY make PORT speak TLS only (plain HTTP is
// refused) and every URL the server writes use https/wss; SIGHUP swaps the certificate without
// dropping a call in progress; bad settings stop the server at start naming the setting;
// MEDICALL_TLS_SELF_SIGNED=1 makes (and keeps) a certificate for the machine's addresses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { SERVER_BINARY, freeTcpPort, freeUdpPort, startServer } from '../lib/server.mjs';

let dir;

// A self-signed certificate for 127.0.0.1 made with the openssl tool; returns the PEM texts.
async function makeCertificate(name) {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { certPath: cert, keyPath: key, cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
}

const fingerprintOf = (pem) => new crypto.X509Certificate(pem).fingerprint256;

// One HTTPS request on a fresh connection: status, body and the server certificate's fingerprint.
function request(port, ca, { method = 'GET', path: p = '/healthz', body } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path: p, ca, agent: false,
      rejectUnauthorized: ca !== undefined, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      const fingerprint = res.socket.getPeerCertificate().fingerprint256;
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: text, fingerprint }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function join(port, ca, roomId) {
  const res = await request(port, ca, { method: 'POST', path: '/join', body: JSON.stringify({ name: 'Secure', roomId }) });
  assert.equal(res.status, 200, res.body);
  return JSON.parse(res.body).JoinInfo;
}

// A WSS client that only listens; answers pings the server never sends, sends a ping on demand.
function openWss(port, ca, meetingId, token) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca }, () => socket.write(
      `GET /control/${meetingId} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Protocol: _aws_wt_session, ${token}\r\n\r\n`));
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let closed = false;
    const pongs = [];
    socket.on('data', (d) => {
      buffer = Buffer.concat([buffer, d]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = Number(buffer.subarray(0, end).toString().split(' ')[1]);
        if (status !== 101) { socket.destroy(); reject(new Error(`upgrade answered ${status}`)); return; }
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve(api);
      }
      while (buffer.length >= 2 && (buffer[1] & 0x7f) < 126 && buffer.length >= 2 + (buffer[1] & 0x7f)) {
        const len = buffer[1] & 0x7f;
        const opcode = buffer[0] & 0x0f;
        if (opcode === 10) pongs.push(buffer.subarray(2, 2 + len).toString());
        if (opcode === 8) closed = true;
        buffer = buffer.subarray(2 + len);
      }
    });
    socket.on('close', () => { closed = true; });
    socket.on('error', (e) => { if (!upgraded) reject(e); });
    const api = {
      get closed() { return closed; },
      // A masked ping (zero mask); resolves true when its pong comes back.
      async ping(text) {
        socket.write(Buffer.concat([Buffer.from([0x89, 0x80 | text.length, 0, 0, 0, 0]), Buffer.from(text)]));
        for (let i = 0; i < 100 && !pongs.includes(text); i++) await new Promise((r) => setTimeout(r, 20));
        return pongs.includes(text);
      },
      destroy: () => socket.destroy(),
    };
  });
}

// Plain text on a fresh TCP connection: what comes back before the server closes it.
function plainRequest(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    let data = '';
    socket.on('data', (d) => { data += d; });
    socket.on('close', () => resolve(data));
    socket.on('error', () => resolve(data));
  });
}

before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'medicall-tls-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

describe('HTTPS and WSS', () => {
  test('MEDICALL_TLS_CERT/KEY: HTTPS and WSS only, and the URLs it writes use https and wss', async () => {
    const first = await makeCertificate('first');
    const server = await startServer({
      env: { MEDICALL_TLS_CERT: first.certPath, MEDICALL_TLS_KEY: first.keyPath }, tls: { ca: first.cert } });
    try {
      assert.match(server.url, /^https:/);
      const health = await request(server.port, first.cert);
      assert.equal(health.status, 200);
      assert.equal(health.fingerprint, fingerprintOf(first.cert));
      const info = await join(server.port, first.cert, 'tls-room');
      const placement = info.Meeting.MediaPlacement;
      assert.equal(placement.SignalingUrl, `wss://127.0.0.1:${server.port}/control/${info.Meeting.MeetingId}`);
      assert.equal(placement.EventIngestionUrl, `https://127.0.0.1:${server.port}/events`);
      for (const [name, url] of Object.entries(placement)) {
        if (name !== 'AudioHostUrl') assert.match(url, /^(wss|https):\/\//, name);
      }
      const ws = await openWss(server.port, first.cert, info.Meeting.MeetingId, info.Attendee.JoinToken);
      assert.ok(await ws.ping('alive'));
      ws.destroy();
      // Plain HTTP on the TLS port gets a refusal, never the page.
      const plain = await plainRequest(server.port);
      assert.match(plain, /^HTTP\/1\.1 400/);
      assert.match(plain, /HTTPS only/);
    } finally {
      await server.stop();
    }
  });

  test('SIGHUP reloads the certificate for new connections without dropping a call', async () => {
    const first = await makeCertificate('reload-a');
    const second = await makeCertificate('reload-b');
    const live = { certPath: path.join(dir, 'live.crt'), keyPath: path.join(dir, 'live.key') };
    await writeFile(live.certPath, first.cert);
    await writeFile(live.keyPath, first.key);
    const ca = [first.cert, second.cert];
    const server = await startServer({
      env: { MEDICALL_TLS_CERT: live.certPath, MEDICALL_TLS_KEY: live.keyPath }, tls: { ca } });
    try {
      const info = await join(server.port, ca, 'reload-room');
      const ws = await openWss(server.port, ca, info.Meeting.MeetingId, info.Attendee.JoinToken);
      // Renewed files, then SIGHUP.
      await writeFile(live.certPath, second.cert);
      await writeFile(live.keyPath, second.key);
      server.proc.kill('SIGHUP');
      let seen;
      for (let i = 0; i < 100 && seen !== fingerprintOf(second.cert); i++) {
        await new Promise((r) => setTimeout(r, 20));
        seen = (await request(server.port, ca)).fingerprint;
      }
      assert.equal(seen, fingerprintOf(second.cert));
      // The call in progress is still connected and answering.
      assert.equal(ws.closed, false);
      assert.ok(await ws.ping('still-here'));
      // A broken renewal is refused and the certificate in use stays.
      await writeFile(live.keyPath, first.key);  // does not match the second certificate
      server.proc.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await request(server.port, ca)).fingerprint, fingerprintOf(second.cert));
      assert.match(server.output(), /not reloaded.*MEDICALL_TLS_KEY/);
      assert.ok(await ws.ping('after-bad-renewal'));
      ws.destroy();
    } finally {
      await server.stop();
    }
  });

  test('bad TLS (and TURN, public URL, proxy, public IP) settings stop the server at start, naming the setting', async () => {
    const good = await makeCertificate('good');
    const other = await makeCertificate('other');
    const garbage = path.join(dir, 'garbage.pem');
    await writeFile(garbage, 'not a certificate\n');
    const cases = [
      [{ MEDICALL_TLS_CERT: path.join(dir, 'missing.crt'), MEDICALL_TLS_KEY: good.keyPath }, /MEDICALL_TLS_CERT: cannot read/],
      [{ MEDICALL_TLS_CERT: garbage, MEDICALL_TLS_KEY: good.keyPath }, /MEDICALL_TLS_CERT: .*holds no PEM certificate/],
      [{ MEDICALL_TLS_CERT: good.certPath, MEDICALL_TLS_KEY: garbage }, /MEDICALL_TLS_KEY: .*holds no .*PEM private key/],
      [{ MEDICALL_TLS_CERT: good.certPath, MEDICALL_TLS_KEY: other.keyPath }, /MEDICALL_TLS_KEY: the key in .* does not match/],
      [{ MEDICALL_TLS_CERT: good.certPath }, /MEDICALL_TLS_KEY must be set with MEDICALL_TLS_CERT/],
      // The other network settings of issue 10 fail the same way.
      [{ MEDICALL_TURN_URIS: 'turn:turn.example.org:99999', MEDICALL_TURN_SECRET: 's' }, /MEDICALL_TURN_URIS: .*bad port/],
      [{ MEDICALL_TURN_URIS: 'stun:turn.example.org' , MEDICALL_TURN_SECRET: 's' }, /MEDICALL_TURN_URIS: .*turn: or turns:/],
      [{ MEDICALL_TURN_URIS: 'turn:turn.example.org:3478' }, /MEDICALL_TURN_SECRET is empty/],
      [{ MEDICALL_PUBLIC_URL: 'clinic.example.org' }, /MEDICALL_PUBLIC_URL/],
      [{ MEDICALL_TRUSTED_PROXIES: '10.0.0.0/40' }, /MEDICALL_TRUSTED_PROXIES: prefix too long/],
      [{ MEDICALL_PUBLIC_IP: 'clinic.example.org' }, /MEDICALL_PUBLIC_IP/],
    ];
    for (const [env, message] of cases) {
      const run = spawnSync(SERVER_BINARY, ['--port', String(await freeTcpPort()), '--media-workers', '1', '--media-port',
        String(await freeUdpPort()), '--data-dir', path.join(dir, 'data'), '--log-level', 'info'],
      { env: { PATH: process.env.PATH, ...env }, cwd: dir, encoding: 'utf8', timeout: 10000 });
      assert.notEqual(run.status, 0, JSON.stringify(env));
      assert.match(run.stderr + run.stdout, message, JSON.stringify(env));
      assert.doesNotMatch(run.stderr + run.stdout, /media socket on|listening on/, 'nothing half-starts');
    }
  });

  test('MEDICALL_TLS_SELF_SIGNED=1 makes a certificate for the machine, prints URL and fingerprint, keeps it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'medicall-selfsigned-'));
    const server = await startServer({ env: { MEDICALL_TLS_SELF_SIGNED: '1' }, tls: {}, dataDir });
    try {
      const pem = await readFile(path.join(dataDir, 'tls', 'self-signed.crt'), 'utf8');
      const cert = new crypto.X509Certificate(pem);
      assert.match(cert.subjectAltName, /IP Address:127\.0\.0\.1/);
      assert.match(cert.subjectAltName, /DNS:localhost/);
      // On a machine with only loopback the one address to open is localhost (in the certificate).
      assert.match(server.output(), new RegExp(`open https://localhost:${server.port}/`));
      assert.ok(server.output().includes(`fingerprint ${cert.fingerprint256}`), server.output());
      // The certificate is trusted as itself, and served.
      const res = await request(server.port, pem);
      assert.equal(res.status, 200);
      assert.equal(res.fingerprint, cert.fingerprint256);
      // Kept across restarts (phones that accepted it once need not accept it again).
      await server.restart();
      assert.equal((await request(server.port, pem)).fingerprint, cert.fingerprint256);
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
