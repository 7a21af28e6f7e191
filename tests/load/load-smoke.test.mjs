// Issue 14: a smoke run of the load generator (bench/load, `make bench-load` runs it at size) against
// the real server binary: two 1:1 consultations and one group of three for a few seconds. Every leg
// joins through /join and the Chime signaling protocol, connects (ICE, DTLS, SRTP), sends Opus and VP8
// and receives the others' video and the mixed audio; the report carries the figures the benchmark
// records (forwarded packets/s, the server's CPU per forwarded packet and memory per leg, latency).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, startServer } from '../lib/server.mjs';

const LOAD_BINARY = process.env.MEDICALL_LOAD_BIN || path.join(REPO_ROOT, 'build', 'release', 'bench', 'load', 'medicall_load');
let server;

before(async () => {
  assert.ok(existsSync(LOAD_BINARY), `the load generator is built by \`make build\`: ${LOAD_BINARY}`);
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

async function load(args) {
  const { stdout } = await promisify(execFile)(LOAD_BINARY,
    ['--server', server.url, '--server-pid', String(server.proc.pid), '--seconds', '3', '--warmup', '1', ...args],
    { timeout: 90000 });
  return JSON.parse(stdout);
}

function assertFigures(r, legs, videoPerLeg) {
  console.log(`# ${r.scenario} x${r.rooms}: ${JSON.stringify(r)}`);
  assert.equal(r.legs, legs);
  assert.equal(r.legsConnected, legs, 'every leg connected (ICE, DTLS)');
  assert.equal(r.legsSendingAudioAndVideo, legs, 'every leg sent Opus and VP8');
  assert.equal(r.legsReceivingVideo, legs, 'every leg received video');
  assert.equal(r.legsReceivingAudio, legs, 'every leg received the mixed audio');
  // Each leg gets each other leg's video: at least 10 packets/s of it (15 fps) over the window.
  assert.ok(r.received.video >= legs * videoPerLeg * 10 * r.windowSeconds, `video packets received: ${r.received.video}`);
  // The mixer sends 50 packets/s to each listener.
  assert.ok(r.received.audio >= legs * 40 * r.windowSeconds, `audio packets received: ${r.received.audio}`);
  assert.ok(r.forwardedPacketsPerSecond > 0);
  assert.ok(r.serverCpuPercent > 0 && r.serverCpuNsPerForwardedPacket > 0, 'the server CPU figures are there');
  assert.ok(r.serverRssMbPerLeg !== null && r.serverRssMb > 0, 'the server memory figures are there');
  assert.ok(r.latencyMs.samples > 0 && r.latencyMs.p50 > 0 && r.latencyMs.p99 >= r.latencyMs.p50, 'latency figures');
  assert.ok(r.videoLossPercent < 5, `video loss ${r.videoLossPercent}%`);
}

describe('load generator smoke run', () => {
  test('S1: two 1:1 consultations, media both ways, a report with figures', async () => {
    assertFigures(await load(['--scenario', 's1', '--rooms', '2']), 4, 1);
  });
  test('a group of three: everyone receives everyone', async () => {
    assertFigures(await load(['--scenario', 's2', '--rooms', '1', '--legs-per-room', '3']), 3, 2);
  });
  test('S3: one speaker, three listeners; S4: joins paced as a storm report join-to-first-media', async () => {
    const s3 = await load(['--scenario', 's3', '--rooms', '1', '--legs-per-room', '4']);
    console.log(`# s3: ${JSON.stringify(s3)}`);
    assert.equal(s3.legsConnected, 4);
    assert.equal(s3.legsPublishing, 1);
    assert.equal(s3.legsReceivingVideo, 3, 'each listener gets the speaker, who gets no video');
    assert.equal(s3.legsReceivingAudio, 4);
    assert.ok(s3.received.video >= 3 * 10 * s3.windowSeconds, `video packets: ${s3.received.video}`);
    const s4 = await load(['--scenario', 's4', '--rooms', '3', '--join-interval-ms', '50']);
    console.log(`# s4: ${JSON.stringify(s4)}`);
    assert.equal(s4.legsConnected, 6);
    assert.equal(s4.joinToFirstAudioMs.legs, 6);
    assert.equal(s4.joinToFirstVideoMs.legs, 3, 'the second leg of each room');
    for (const k of ['joinToFirstAudioMs', 'joinToFirstVideoMs'])
      assert.ok(s4[k].p50 > 0 && s4[k].p99 >= s4[k].p50 && s4[k].p99 < 10000, `${k}: ${JSON.stringify(s4[k])}`);
  });
});
