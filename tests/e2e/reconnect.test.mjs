// Issue 10, "Reconnection as the SDK expects it" (chime-protocol-2.md section 2), through the
// official, unmodified amazon-chime-sdk-js in headless Chromium:
// - a signaling socket closed with 4500 makes the SDK reconnect with the same audio_session_id:
//   the server replaces the session quietly, the other attendee sees no absence, the reconnecting
//   one keeps its roster, gets the data messages still within their lifetime, and video returns;
// - a session silent for 25 s (its pings stopped) is closed by the server with 4500: the others
//   see it dropped, then present again when the SDK has reconnected;
// - the same attendee from a second browser (another audio_session_id) stops the first with
//   AudioJoinedFromAnotherDevice (AUDIO_STATUS 301);
// - a server that stops (SIGTERM) closes with 4500, not AUDIO_STATUS 410: the clients rejoin the
//   stored meeting once it is back.
// Runs inside `unshare -n` like the other e2e suites.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let webDir;
const browsers = [];

async function open(name, on = server) {
  const b = await launchBrowser();
  browsers.push(b);
  await b.page.goto(`${on.url}/`);
  return { ...b, name, state: () => b.page.evaluate(() => window.sdkTest.state) };
}

async function attendee(name, room, opts = {}, on = server) {
  const a = await open(name, on);
  a.self = await a.page.evaluate(([n, r, o]) => window.sdkTest.join(n, r, o), [name, room, opts]);
  return a;
}

async function attendeeWith(name, joinInfo, opts = {}) {
  const a = await open(name);
  a.self = await a.page.evaluate(([info, o]) => window.sdkTest.joinWith(info, o), [joinInfo, opts]);
  return a;
}

async function startedTimes(a, n, timeoutMs = 30000) {
  await waitFor(async () => (await a.state()).starts >= n, {
    timeoutMs, what: `${a.name}: audioVideoDidStart #${n} (logs: ${a.logs.slice(-5).join(' | ')})`,
  });
}

// Frames decoded from `other`'s tile grow by more than 10 (on the current peer connection).
async function decodes(a, other, timeoutMs = 30000) {
  await waitFor(async () => (await a.page.evaluate(() => window.sdkTest.remoteTiles()))
    .some((t) => t.attendeeId === other.self.attendeeId), { timeoutMs, what: `${a.name}: a tile of ${other.name}` });
  const decoded = async () => {
    const s = await a.page.evaluate(() => window.sdkTest.stats());
    return s.video.reduce((sum, v) => sum + (v.framesDecoded || 0), 0);
  };
  let base = null;
  await waitFor(async () => {
    const n = await decoded();
    if (base === null || n < base) base = n;
    return n > base + 10;
  }, { timeoutMs, intervalMs: 500, what: `${a.name}: decoding ${other.name}` });
}

// Presence events of `other` seen by `a` from index `from` on.
async function presenceOf(a, other, from = 0) {
  return (await a.state()).presence.slice(from).filter((p) => p.attendeeId === other.self.attendeeId);
}

async function newJoinInfo(name, roomId) {
  const res = await fetch(`${server.url}/join`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, roomId }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).JoinInfo;
}

before(async () => {
  webDir = await buildSdkPage();
  server = await startServer({ args: ['--web-dir', webDir] });
});

after(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
});

async function closeBrowsers() {
  for (const b of browsers.splice(0)) await b.close();
}

describe('reconnection as amazon-chime-sdk-js expects it', () => {
  test('a socket closed with 4500: a quiet reconnect, no absence, the roster kept, video back', async () => {
    const room = `reconnect-${Date.now()}`;
    const alice = await attendee('Alice', room);
    const bob = await attendee('Bob', room);
    await Promise.all([startedTimes(alice, 1), startedTimes(bob, 1)]);
    await decodes(alice, bob);
    await decodes(bob, alice);
    await waitFor(async () => (await presenceOf(alice, bob)).some((p) => p.present), { what: 'Alice: Bob present' });
    const tileOf = async (a, other) => (await a.page.evaluate(() => window.sdkTest.remoteTiles()))
      .find((t) => t.attendeeId === other.self.attendeeId);
    const streamBefore = (await tileOf(bob, alice)).streamId;
    const bobSawBefore = (await bob.state()).presence.length;
    const aliceSawBefore = (await alice.state()).presence.length;

    // A message with a lifetime (10 s), then the socket fails: the reconnected client gets it again.
    await bob.page.evaluate(() => window.sdkTest.send('kept for late joiners'));
    await waitFor(async () => (await alice.state()).messages.some((m) => m.text === 'kept for late joiners'),
      { what: 'Alice: the message' });
    assert.equal(await alice.page.evaluate(() => window.sdkTest.closeSignaling(4500)), 1);
    await waitFor(async () => (await alice.state()).connecting.some((c) => c.reconnecting),
      { what: 'Alice: reconnecting' });
    await startedTimes(alice, 2);
    await waitFor(async () => (await alice.state()).messages.filter((m) => m.text === 'kept for late joiners').length >= 2,
      { timeoutMs: 10000, what: 'Alice: the message replayed after the reconnect' });

    await decodes(alice, bob);
    await decodes(bob, alice);
    // Alice's camera came back as a new, higher stream (the SDK keeps the highest per attendee).
    const streamAfter = (await tileOf(bob, alice)).streamId;
    assert.ok(streamAfter > streamBefore, `Alice's stream id ${streamBefore} -> ${streamAfter}`);
    const aliceState = await alice.state();
    assert.equal(aliceState.stopped, null, `Alice was stopped (${aliceState.stoppedName}): no 301 for a reconnect`);
    // Bob never saw Alice absent; Alice's first roster after the reconnect still had Bob.
    assert.deepEqual((await presenceOf(bob, alice, bobSawBefore)).filter((p) => !p.present), [],
      'Bob was told Alice was gone');
    assert.deepEqual((await presenceOf(alice, bob, aliceSawBefore)).filter((p) => !p.present), [],
      'Alice lost Bob from her roster');
    await closeBrowsers();
  });

  test('a session silent for 25 s is closed with 4500: dropped for the others, then present again', async () => {
    const room = `silent-${Date.now()}`;
    const carol = await attendee('Carol', room, { video: false });
    const dave = await attendee('Dave', room, { video: false });
    await Promise.all([startedTimes(carol, 1), startedTimes(dave, 1)]);
    await waitFor(async () => (await presenceOf(dave, carol)).some((p) => p.present), { what: 'Dave: Carol present' });
    const from = (await dave.state()).presence.length;
    const mutedAt = Date.now();
    assert.equal(await carol.page.evaluate(() => window.sdkTest.muteSignaling()), 1);

    const gone = await waitFor(async () => (await presenceOf(dave, carol, from)).find((p) => !p.present),
      { timeoutMs: 40000, what: 'Dave: Carol dropped' });
    assert.equal(gone.dropped, true, 'reported as left, not dropped');
    const after = (gone.at - mutedAt) / 1000;
    assert.ok(after >= 20 && after <= 35, `dropped ${after.toFixed(1)} s after the pings stopped`);
    await startedTimes(carol, 2, 40000);
    await waitFor(async () => {
      const events = await presenceOf(dave, carol, from);
      return events.length >= 2 && events[events.length - 1].present;
    }, { timeoutMs: 20000, what: 'Dave: Carol present again' });
    assert.equal((await carol.state()).stopped, null);
    await closeBrowsers();
  });

  test('the same attendee from a second browser stops the first with AudioJoinedFromAnotherDevice', async () => {
    const room = `device-${Date.now()}`;
    const erin = await attendee('Erin', room, { video: false });
    await startedTimes(erin, 1);
    const joinInfo = await newJoinInfo('Finn', room);
    const laptop = await attendeeWith('Finn (laptop)', joinInfo, { video: false });
    await startedTimes(laptop, 1);
    await waitFor(async () => (await presenceOf(erin, laptop)).some((p) => p.present), { what: 'Erin: Finn present' });
    const phone = await attendeeWith('Finn (phone)', joinInfo, { video: false });
    await startedTimes(phone, 1);
    await waitFor(async () => (await laptop.state()).stoppedName === 'AudioJoinedFromAnotherDevice',
      { what: 'the laptop stopped: joined from another device' });
    await new Promise((r) => setTimeout(r, 3000));
    const phoneState = await phone.state();
    assert.equal(phoneState.stopped, null, `the phone was stopped (${phoneState.stoppedName})`);
    assert.deepEqual((await presenceOf(erin, phone)).filter((p) => !p.present && !p.dropped), [],
      'Erin was told Finn left');
    await closeBrowsers();
  });

  test('a server stopped with SIGTERM closes with 4500: the clients rejoin once it is back', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'medicall-drain-'));
    const own = await startServer({ args: ['--web-dir', webDir], dataDir });
    try {
      const room = `drain-${Date.now()}`;
      const gil = await attendee('Gil', room, { video: false }, own);
      const hana = await attendee('Hana', room, { video: false }, own);
      await Promise.all([startedTimes(gil, 1), startedTimes(hana, 1)]);
      own.proc.kill('SIGTERM');
      await own.exited;
      await own.spawn();
      for (const x of [gil, hana]) await startedTimes(x, 2, 60000);
      for (const x of [gil, hana]) {
        const s = await x.state();
        assert.equal(s.stopped, null, `${x.name} was stopped (${s.stoppedName}): a restart is not the end`);
      }
      const text = `after the restart ${Date.now()}`;
      await waitFor(async () => {
        await gil.page.evaluate((t) => window.sdkTest.send(t), text);
        return (await hana.state()).messages.some((m) => m.text === text);
      }, { timeoutMs: 20000, intervalMs: 1000, what: 'Hana: a message from Gil after the restart' });
      await closeBrowsers();
    } finally {
      await own.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
