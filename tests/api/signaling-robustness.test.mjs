// Malformed input on the signaling WebSocket of a running server: wrong subprotocol or token,
// garbage frames, truncated protobuf, text frames, oversized messages. Each gets a refusal or a
// close with a clear code; the server keeps serving everyone else.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { startServer } from '../lib/server.mjs';

let server;

// A minimal RFC 6455 client: handshake, masked frames out, frames in, close code.
function openSocket(port, path, protocols) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const key = crypto.randomBytes(16).toString('base64');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const frames = [];
    let closeCode = null;
    let status = null;
    let ended;
    const done = new Promise((r) => { ended = r; });
    socket.on('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
        (protocols ? `Sec-WebSocket-Protocol: ${protocols.join(', ')}\r\n` : '') + '\r\n');
    });
    socket.on('data', (d) => {
      buffer = Buffer.concat([buffer, d]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString();
        status = Number(head.split(' ')[1]);
        buffer = buffer.subarray(end + 4);
        if (status !== 101) { resolve({ status, head }); socket.destroy(); return; }
        upgraded = true;
        resolve(api);
      }
      while (buffer.length >= 2) {
        let len = buffer[1] & 0x7f;
        let offset = 2;
        if (len === 126) { if (buffer.length < 4) return; len = buffer.readUInt16BE(2); offset = 4; }
        else if (len === 127) { if (buffer.length < 10) return; len = Number(buffer.readBigUInt64BE(2)); offset = 10; }
        if (buffer.length < offset + len) return;
        const opcode = buffer[0] & 0x0f;
        const payload = buffer.subarray(offset, offset + len);
        buffer = buffer.subarray(offset + len);
        if (opcode === 8) {
          closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          api.send(8, payload.subarray(0, 2));  // answer the close handshake
          ended();
        }
        else frames.push({ opcode, payload });
      }
    });
    socket.on('close', () => ended());
    socket.on('error', (e) => { if (!upgraded && status === null) reject(e); ended(); });
    const api = {
      status: 101,
      frames,
      get closeCode() { return closeCode; },
      closed: done,
      send(opcode, payload) {
        const mask = crypto.randomBytes(4);
        const len = payload.length;
        const header = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len])
          : len < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff])
            : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
        const masked = Buffer.from(payload);
        for (let i = 0; i < masked.length; i++) masked[i] ^= mask[i % 4];
        socket.write(Buffer.concat([header, mask, masked]));
      },
      destroy() { socket.destroy(); },
    };
  });
}

async function newAttendee(roomId) {
  const res = await fetch(`${server.url}/join`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Robust', roomId }),
  });
  const { JoinInfo } = await res.json();
  return { meetingId: JoinInfo.Meeting.MeetingId, token: JoinInfo.Attendee.JoinToken };
}

const within = (p, ms) => Promise.race([p, new Promise((_, r) => setTimeout(() => r(new Error('timeout')), ms))]);

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

describe('signaling WebSocket robustness', () => {
  test('refuses unknown tokens and missing subprotocols; ended meetings close with 4410', async () => {
    const { meetingId, token } = await newAttendee('ws-refuse');
    assert.equal((await openSocket(server.port, `/control/${meetingId}`, ['_aws_wt_session', 'wrongtoken'])).status, 403);
    assert.equal((await openSocket(server.port, `/control/${meetingId}`, [token])).status, 400);
    assert.equal((await openSocket(server.port, '/control/', ['_aws_wt_session', token])).status, 404);
    const gone = await openSocket(server.port, `/control/${crypto.randomUUID()}`, ['_aws_wt_session', token]);
    assert.equal(gone.status, 101);
    await within(gone.closed, 5000);
    assert.equal(gone.closeCode, 4410);
  });

  test('garbage, truncated protobuf, text and oversized frames close the socket with a reason', async () => {
    const cases = [
      { what: 'bad prefix', opcode: 2, payload: Buffer.from([0x07, 1, 2, 3]), codes: [1007] },
      { what: 'truncated protobuf', opcode: 2, payload: Buffer.from([0x05, 0x08, 0x01, 0x12, 0xff]), codes: [1007] },
      { what: 'empty binary', opcode: 2, payload: Buffer.alloc(0), codes: [1007] },
      { what: 'text frame', opcode: 1, payload: Buffer.from('{"type":"JOIN"}'), codes: [1003] },
      { what: 'oversized', opcode: 2, payload: Buffer.concat([Buffer.from([0x05]), crypto.randomBytes(1100 * 1024)]), codes: [1009] },
    ];
    for (const c of cases) {
      const { meetingId, token } = await newAttendee(`ws-${c.what.replace(/ /g, '-')}`);
      const ws = await openSocket(server.port, `/control/${meetingId}`, ['_aws_wt_session', token]);
      assert.equal(ws.status, 101, c.what);
      ws.send(c.opcode, c.payload);
      await within(ws.closed, 10000);
      assert.ok(c.codes.includes(ws.closeCode), `${c.what}: close code ${ws.closeCode}`);
    }
    // The server is still healthy and still answers joins.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const again = await newAttendee('ws-after');
    assert.ok(again.token.length >= 22);
  });

  test('a frame before JOIN gets an error and a close', async () => {
    const { meetingId, token } = await newAttendee('ws-order');
    const ws = await openSocket(server.port, `/control/${meetingId}`, ['_aws_wt_session', token]);
    // SdkSignalFrame{timestamp_ms=1, type=SUBSCRIBE(3)} with the 0x05 prefix.
    ws.send(2, Buffer.from([0x05, 0x08, 0x01, 0x10, 0x03]));
    await within(ws.closed, 5000);
    assert.equal(ws.closeCode, 1008);
    assert.ok(ws.frames.length >= 1, 'an error frame precedes the close');
  });
});
