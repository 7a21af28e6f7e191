// The HTTP server itself: health and metrics, the static web app (content types, SPA fallback,
// no path traversal), request limits, keep-alive, the connection cap and graceful shutdown.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';

// One raw HTTP/1.1 exchange on a fresh socket (fetch would normalise the path).
function rawRequest(port, text, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { socket.destroy(); resolve(data); }, timeoutMs);
    socket.on('data', (d) => { data += d.toString('latin1'); });
    socket.on('end', () => { clearTimeout(timer); resolve(data); });
    socket.on('close', () => { clearTimeout(timer); resolve(data); });
    socket.on('error', (e) => { clearTimeout(timer); if (data) resolve(data); else reject(e); });
    socket.write(text);
  });
}
const statusOf = (raw) => Number(raw.split(' ')[1]);

// A signaling WebSocket that only listens: resolves once upgraded; `closeCode` resolves with the
// code of the server's close frame (null if the TCP connection ends without one).
function openListeningWebSocket(port, meetingId, token) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let settle;
    const closeCode = new Promise((r) => { settle = r; });
    socket.on('connect', () => socket.write(
      `GET /control/${meetingId} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${Buffer.from(crypto.randomUUID()).subarray(0, 16).toString('base64')}\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: _aws_wt_session, ${token}\r\n\r\n`));
    socket.on('data', (d) => {
      buffer = Buffer.concat([buffer, d]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = statusOf(buffer.subarray(0, end).toString());
        if (status !== 101) { socket.destroy(); reject(new Error(`upgrade answered ${status}`)); return; }
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve({ closeCode, destroy: () => socket.destroy() });
      }
      // Server frames are unmasked; only small ones (control frames, signaling) are expected here.
      while (buffer.length >= 2 && (buffer[1] & 0x7f) < 126 && buffer.length >= 2 + (buffer[1] & 0x7f)) {
        const len = buffer[1] & 0x7f;
        if ((buffer[0] & 0x0f) === 8) {
          settle(len >= 2 ? buffer.readUInt16BE(2) : 1005);
          // Answer the close as browsers do (masked, echoing the code; a zero mask keeps it simple).
          socket.end(Buffer.concat([Buffer.from([0x88, 0x80 | Math.min(len, 2), 0, 0, 0, 0]), buffer.subarray(2, 2 + Math.min(len, 2))]));
        }
        buffer = buffer.subarray(2 + len);
      }
    });
    socket.on('close', () => settle(null));
    socket.on('error', (e) => { if (!upgraded) reject(e); });
  });
}

// POST /join on a connection of its own that closes afterwards (so it does not linger in a pool
// and count against the connection cap).
async function joinRoom(port, name, roomId) {
  const body = JSON.stringify({ name, roomId });
  const raw = await rawRequest(port, `POST /join HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  assert.equal(statusOf(raw), 200, raw);
  const { Meeting, Attendee } = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).JoinInfo;
  return { meetingId: Meeting.MeetingId, token: Attendee.JoinToken };
}

let server;
let webDir;

before(async () => {
  webDir = await mkdtemp(path.join(os.tmpdir(), 'medicall-web-'));
  await mkdir(path.join(webDir, 'assets'));
  await writeFile(path.join(webDir, 'index.html'), '<!doctype html><title>app-shell</title>');
  await writeFile(path.join(webDir, 'assets', 'app-1234.js'), 'console.log("app")');
  await writeFile(path.join(webDir, 'assets', 'app-1234.css'), 'body{}');
  await writeFile(path.join(os.tmpdir(), 'medicall-secret.txt'), 'secret');
  server = await startServer({ args: ['--web-dir', webDir, '--max-header-bytes', '4096', '--max-connections', '20'] });
});

after(async () => {
  await server?.stop();
  await rm(webDir, { recursive: true, force: true });
});

describe('HTTP server', () => {
  test('healthz answers and metrics count requests by route and status', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    await fetch(`${server.url}/api/roster/no-such-room`);
    const join = await fetch(`${server.url}/join`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Metric', roomId: 'metrics-room' }),
    });
    assert.equal(join.status, 200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /medicall_http_requests_total\{method="GET",route="\/api\/roster\/\{roomId\}",status="404"\} 1/);
    assert.match(metrics, /medicall_http_requests_total\{method="POST",route="\/join",status="200"\} 1/);
    assert.match(metrics, /^medicall_meetings_active 1$/m);
    assert.match(metrics, /^medicall_attendees 1$/m);
  });

  test('serves the web app with content types, caching and an SPA fallback', async () => {
    const index = await fetch(`${server.url}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type'), /^text\/html/);
    assert.match(await index.text(), /app-shell/);
    const js = await fetch(`${server.url}/assets/app-1234.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    assert.match(js.headers.get('cache-control'), /immutable/);
    const css = await fetch(`${server.url}/assets/app-1234.css`);
    assert.match(css.headers.get('content-type'), /^text\/css/);
    // A page route falls back to index.html; a missing asset does not.
    const route = await fetch(`${server.url}/room/abc`);
    assert.equal(route.status, 200);
    assert.match(await route.text(), /app-shell/);
    assert.equal((await fetch(`${server.url}/assets/missing.js`)).status, 404);
  });

  test('accepts client events from a valid attendee only, and counts them', async () => {
    const join = await (await fetch(`${server.url}/join`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Eventful', roomId: 'events-room' }),
    })).json();
    const { Meeting, Attendee } = join.JoinInfo;
    assert.equal(Meeting.MediaPlacement.EventIngestionUrl, `${server.url}/events`);
    const body = JSON.stringify({
      metadata: { meetingId: Meeting.MeetingId, attendeeId: Attendee.AttendeeId, sdkVersion: '3.32.0' },
      events: [{ type: 'Meet', v: 1, payloads: [{ name: 'meetingStartRequested', ts: Date.now() },
        { name: 'meetingStartSucceeded', ts: Date.now() }] }],
    });
    const post = (headers, b = body) => fetch(`${server.url}/events`, { method: 'POST', headers, body: b });
    const ok = await post({ 'content-type': 'application/json', authorization: `Bearer ${Attendee.JoinToken}` });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { accepted: 2 });
    assert.equal((await post({ 'content-type': 'application/json' })).status, 401);
    assert.equal((await post({ authorization: 'Bearer not-a-token' })).status, 403);
    assert.equal((await post({ authorization: `Bearer ${Attendee.JoinToken}` }, '{nope')).status, 400);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^medicall_client_events_total\{name="meetingStartSucceeded"\} 1$/m);
  });

  test('refuses path traversal', async () => {
    for (const target of ['/../medicall-secret.txt', '/assets/../../medicall-secret.txt',
      '/%2e%2e/medicall-secret.txt', '/assets/%2e%2e%2f%2e%2e%2fmedicall-secret.txt', '/..%5cmedicall-secret.txt']) {
      const raw = await rawRequest(server.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.ok(statusOf(raw) === 400 || statusOf(raw) === 404, `${target}: ${raw.split('\r\n')[0]}`);
      assert.doesNotMatch(raw, /secret$/m, target);
    }
  });

  test('limits headers and bodies, and rejects malformed requests', async () => {
    const huge = 'x'.repeat(8000);
    const raw = await rawRequest(server.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${huge}\r\n\r\n`);
    assert.equal(statusOf(raw), 431);
    const garbage = await rawRequest(server.port, 'NOT AN HTTP REQUEST\r\n\r\n');
    assert.equal(statusOf(garbage), 400);
    const body = 'y'.repeat(70 * 1024);
    const big = await rawRequest(server.port,
      `POST /join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    assert.equal(statusOf(big), 413);
    // The server keeps serving.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  test('keeps a connection alive across requests', async () => {
    const raw = await rawRequest(server.port,
      'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(raw.match(/HTTP\/1\.1 200/g)?.length, 2);
  });

  test('caps concurrent connections with 503 and recovers', async () => {
    const sockets = [];
    for (let i = 0; i < 20; i++) {
      sockets.push(await new Promise((resolve) => {
        const s = net.connect(server.port, '127.0.0.1', () => resolve(s));
      }));
    }
    await new Promise((r) => setTimeout(r, 200));
    const raw = await rawRequest(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(statusOf(raw), 503);
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  test('WebSockets count against the connection cap; SIGTERM closes them with 4503', async () => {
    const capped = await startServer({ args: ['--max-connections', '4'] });
    const get = (path) => rawRequest(capped.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    try {
      // Open WebSockets until the cap refuses one (startServer's own /healthz probe may still hold
      // a pooled keep-alive connection, so three or four fit under the cap of four).
      const attendees = [];
      for (let i = 0; i < 5; i++) attendees.push(await joinRoom(capped.port, `Capped ${i}`, 'ws-cap-room'));
      const sockets = [];
      let refusal;
      for (const { meetingId, token } of attendees) {
        if (refusal) break;
        try {
          sockets.push(await openListeningWebSocket(capped.port, meetingId, token));
        } catch (e) {
          refusal = e;
        }
      }
      assert.match(String(refusal), /upgrade answered 503/);
      assert.ok(sockets.length >= 3 && sockets.length <= 4, `${sockets.length} WebSockets under a cap of 4`);
      // With the WebSockets holding the cap, a plain HTTP connection is refused too.
      assert.equal(statusOf(await get('/healthz')), 503);
      sockets.pop().destroy();
      let metrics = '';
      for (let i = 0; i < 50 && statusOf(metrics) !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        metrics = await get('/metrics');
      }
      assert.equal(statusOf(metrics), 200, metrics);
      const gauge = (name) => Number(metrics.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1]);
      assert.equal(gauge('medicall_websockets_open'), sockets.length);
      // The WebSockets, this request, and at most the probe's pooled connection.
      assert.ok(gauge('medicall_http_connections_open') >= sockets.length + 1, metrics);
      assert.ok(gauge('medicall_http_connections_open') <= 4, metrics);
      // SIGTERM: nothing in flight, so every WebSocket is closed at once with 4503 (reconnect).
      const result = await capped.stop();
      assert.equal(result.code, 0, `exit: ${JSON.stringify(result)}\n${capped.output()}`);
      assert.deepEqual(await Promise.all(sockets.map((s) => s.closeCode)), sockets.map(() => 4503));
    } finally {
      await capped.stop();
    }
  });

  test('metrics clamp unknown HTTP methods to OTHER', async () => {
    for (const method of ['FOOBAR', 'XYZZY1', 'PROPFIND']) {
      await rawRequest(server.port, `${method} /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /medicall_http_requests_total\{method="OTHER",route="\/healthz",status="200"\} 3/);
    assert.doesNotMatch(metrics, /FOOBAR|XYZZY1|PROPFIND/);
  });

  test('SIGTERM finishes the request in flight and exits 0', async () => {
    const other = await startServer();
    // Send the headers of a request but hold the body back, then ask the server to stop.
    const socket = net.connect(other.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const body = JSON.stringify({ name: 'Late', roomId: 'shutdown-room' });
    socket.write(`POST /join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 200));
    let response = '';
    socket.on('data', (d) => { response += d.toString(); });
    const stopped = other.stop();
    await new Promise((r) => setTimeout(r, 200));
    socket.write(body);
    const result = await stopped;
    assert.equal(result.code, 0, `exit: ${JSON.stringify(result)}\n${other.output()}`);
    assert.match(response, /^HTTP\/1\.1 200/);
    assert.match(response, /"JoinInfo"/);
    // New connections are refused once it has stopped.
    await assert.rejects(fetch(`${other.url}/healthz`));
  });
});
