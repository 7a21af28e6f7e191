// Issue 9, item 8: a store write that waits for the disk must not stall the signaling thread.
// Another process holds medicall.db's write lock (as a slow fsync or a backup would hold the
// writer up): a /join waits for it, and meanwhile a signaling PING is answered at once and
// /healthz answers. Before the fix, writes ran on the one HTTP/signaling thread and both waited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { WsClient } from '../lib/ws-client.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const P = require('amazon-chime-sdk-js/build/signalingprotocol/SignalingProtocol.js');
const { SdkSignalFrame } = P;

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

function join(name, roomId) {
  return fetch(`${server.url}/join`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, roomId }),
  });
}

function pingFrame(id) {
  const frame = SdkSignalFrame.encode(SdkSignalFrame.create({
    timestampMs: Date.now(), type: SdkSignalFrame.Type.PING_PONG, pingPong: { type: P.SdkPingPongType.PING, pingId: id },
  })).finish();
  return Buffer.concat([Buffer.from([0x05]), frame]);
}

function isPong(id) {
  return (message) => {
    if (message[0] !== 0x05) return false;
    const f = SdkSignalFrame.decode(message.subarray(1));
    return f.type === SdkSignalFrame.Type.PING_PONG && f.pingPong?.type === P.SdkPingPongType.PONG && f.pingPong.pingId === id;
  };
}

// Another process takes SQLite's write lock on the database and keeps it until release().
async function holdWriteLock(dbPath) {
  const script = [
    'import sqlite3, sys',
    'db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)',
    "db.execute('BEGIN IMMEDIATE')",
    "print('locked', flush=True)",
    'sys.stdin.readline()',
    "db.execute('COMMIT')",
  ].join('\n');
  const proc = spawn('/usr/bin/python3', ['-c', script, dbPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => { if (d.toString().includes('locked')) resolve(); });
    proc.once('exit', (code) => reject(new Error(`lock holder exited (${code})`)));
  });
  return { release: async () => { proc.stdin.end('\n'); await exited; } };
}

async function timed(promise) {
  const start = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - start };
}

test('a PING is answered and /healthz answers while a store write is stalled', async () => {
  const res = await join('Pat', 'stall-room');
  assert.equal(res.status, 200);
  const { JoinInfo } = await res.json();
  const ws = await WsClient.connect(server.port, `/control/${JoinInfo.Meeting.MeetingId}`,
    ['_aws_wt_session', JoinInfo.Attendee.JoinToken]);
  ws.sendBinary(pingFrame(1));
  await ws.nextMessage(isPong(1), 5000);  // the session answers PING before JOIN too

  const lock = await holdWriteLock(path.join(server.dataDir, 'medicall.db'));
  let joinSettled = false;
  const stalledJoin = join('Quinn', 'stall-room').finally(() => { joinSettled = true; });
  await new Promise((r) => setTimeout(r, 300));  // the join's write is now waiting for the lock
  try {
    ws.sendBinary(pingFrame(2));
    const pong = await timed(ws.nextMessage(isPong(2), 4000));
    const health = await timed(fetch(`${server.url}/healthz`));
    assert.equal(health.value.status, 200);
    assert.equal(joinSettled, false, 'the write was not stalled: the test proves nothing');
    assert.ok(pong.ms < 1000, `PONG took ${pong.ms.toFixed(0)} ms while a write was stalled`);
    assert.ok(health.ms < 1000, `/healthz took ${health.ms.toFixed(0)} ms while a write was stalled`);
  } finally {
    await lock.release();
  }
  // The stalled write completes once the disk (here: the lock) lets it: nothing is lost.
  const joined = await stalledJoin;
  assert.equal(joined.status, 200);
  const roster = await (await fetch(`${server.url}/api/roster/stall-room`)).json();
  assert.deepEqual(Object.values(roster.roster).sort(), ['Pat', 'Quinn']);
  ws.close();
});
