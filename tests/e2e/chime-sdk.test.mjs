// Issue 4: browsers running the official, unmodified amazon-chime-sdk-js join meetings on our
// server through /join, see each other's video tiles bound to the right attendee, get presence
// events (join, leave, drop), exchange data messages and see each other's mute state.
// Runs headless Debian Chromium with fake devices; the suite runs inside `unshare -n`.
import { after, before, describe, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChimeSDKMeetingsClient, DeleteAttendeeCommand, DeleteMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import assert from 'node:assert/strict';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let webDir;
const browsers = [];

async function attendee(name, room, opts = {}, on = server) {
  const b = await launchBrowser();
  browsers.push(b);
  await b.page.goto(`${on.url}/`);
  const self = await b.page.evaluate(([n, r, o]) => window.sdkTest.join(n, r, o), [name, room, opts]);
  return { ...b, name, self, state: () => b.page.evaluate(() => window.sdkTest.state) };
}

async function started(a) {
  await waitFor(() => a.page.evaluate(() => window.sdkTest.state.started), {
    timeoutMs: 30000, what: `${a.name}: audioVideoDidStart (logs: ${a.logs.slice(-5).join(' | ')})`,
  });
}

// The remote tile bound to `other`, with frames decoded growing on its stream.
async function seesVideoOf(a, other) {
  const tile = await waitFor(async () => {
    const tiles = await a.page.evaluate(() => window.sdkTest.remoteTiles());
    return tiles.find((t) => t.attendeeId === other.self.attendeeId);
  }, { timeoutMs: 30000, what: `${a.name}: a remote tile for ${other.name}` });
  assert.equal(tile.externalUserId, other.self.externalUserId);
  const decoded = async () => {
    const s = await a.page.evaluate(() => window.sdkTest.stats());
    return s.video.reduce((sum, v) => sum + (v.framesDecoded || 0), 0);
  };
  const first = await waitFor(decoded, { timeoutMs: 20000, what: `${a.name}: decoded frames from ${other.name}` });
  const later = await waitFor(async () => {
    const n = await decoded();
    return n > first + 10 ? n : 0;
  }, { timeoutMs: 20000, what: `${a.name}: framesDecoded growing` });
  assert.ok(later > first);
  return tile;
}

async function rosterOf(on, room) {
  const res = await fetch(`${on.url}/api/roster/${room}`);
  return { status: res.status, roster: res.ok ? (await res.json()).roster : null };
}

before(async () => {
  webDir = await buildSdkPage();
  server = await startServer({ args: ['--web-dir', webDir] });
});

after(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
});

describe('unmodified amazon-chime-sdk-js against MediCall', () => {
  test('two attendees see each other, with presence, data messages and mute', async () => {
    const room = `two-${Date.now()}`;
    const alice = await attendee('Alice', room);
    const bob = await attendee('Bob', room);
    await Promise.all([started(alice), started(bob)]);

    await seesVideoOf(alice, bob);
    await seesVideoOf(bob, alice);

    // Presence: each learns the other with the right ids.
    for (const [a, other] of [[alice, bob], [bob, alice]]) {
      const event = await waitFor(async () => (await a.state()).presence.find(
        (p) => p.attendeeId === other.self.attendeeId && p.present), { what: `${a.name}: presence of ${other.name}` });
      assert.equal(event.externalUserId, other.self.externalUserId);
    }

    // A data message arrives with the sender's ids (taken from the session, not the message).
    await alice.page.evaluate(() => window.sdkTest.send('hello from alice'));
    const msg = await waitFor(async () => (await bob.state()).messages.find((m) => m.text === 'hello from alice'),
      { what: 'Bob: data message' });
    assert.equal(msg.senderAttendeeId, alice.self.attendeeId);
    assert.equal(msg.senderExternalUserId, alice.self.externalUserId);
    assert.equal(msg.throttled, false);

    // Mute shows as muted on the other side.
    await alice.page.evaluate(() => window.sdkTest.mute());
    await waitFor(async () => (await bob.state()).volumes[alice.self.attendeeId]?.muted === true,
      { what: 'Bob: Alice muted' });
    await alice.page.evaluate(() => window.sdkTest.unmute());
    await waitFor(async () => (await bob.state()).volumes[alice.self.attendeeId]?.muted === false,
      { what: 'Bob: Alice unmuted' });

    // Leaving gives present=false (not dropped).
    await bob.page.evaluate(() => window.sdkTest.leave());
    const left = await waitFor(async () => (await alice.state()).presence.find(
      (p) => p.attendeeId === bob.self.attendeeId && !p.present), { what: 'Alice: Bob left' });
    assert.equal(left.dropped, false);
    await alice.page.evaluate(() => window.sdkTest.leave());
  });

  test('three attendees see the two others; a camera turned off removes its tile', async () => {
    const room = `three-${Date.now()}`;
    const a = await attendee('Ann', room);
    const b = await attendee('Ben', room);
    const c = await attendee('Cat', room);
    await Promise.all([started(a), started(b), started(c)]);
    for (const [x, y] of [[a, b], [a, c], [b, a], [b, c], [c, a], [c, b]]) await seesVideoOf(x, y);

    await c.page.evaluate(() => window.sdkTest.stopVideo());
    for (const x of [a, b]) {
      await waitFor(async () => {
        const tiles = await x.page.evaluate(() => window.sdkTest.remoteTiles());
        return !tiles.some((t) => t.attendeeId === c.self.attendeeId);
      }, { timeoutMs: 30000, what: `${x.name}: Cat's tile gone` });
    }
    // The others' tiles stay.
    const tiles = await a.page.evaluate(() => window.sdkTest.remoteTiles());
    assert.ok(tiles.some((t) => t.attendeeId === b.self.attendeeId));
  });

  test('closing a page without leaving shows as dropped', async () => {
    const room = `drop-${Date.now()}`;
    const a = await attendee('Dan', room);
    const b = await attendee('Eve', room);
    await Promise.all([started(a), started(b)]);
    await waitFor(async () => (await a.state()).presence.find((p) => p.attendeeId === b.self.attendeeId && p.present),
      { what: 'Dan: Eve present' });
    await b.close();
    const gone = await waitFor(async () => (await a.state()).presence.find(
      (p) => p.attendeeId === b.self.attendeeId && !p.present), { timeoutMs: 45000, what: 'Dan: Eve dropped' });
    assert.equal(gone.dropped, true);
  });

  test('DeleteAttendee and DeleteMeeting stop the clients with the right status', async () => {
    const room = `end-${Date.now()}`;
    const a = await attendee('Fay', room, { video: false });
    const b = await attendee('Gus', room, { video: false });
    await Promise.all([started(a), started(b)]);
    const meetingId = (await (await fetch(`${server.url}/join`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Probe', roomId: room }),
    })).json()).JoinInfo.Meeting.MeetingId;
    const client = new ChimeSDKMeetingsClient({
      endpoint: server.url, region: 'us-east-1',
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    });

    await client.send(new DeleteAttendeeCommand({ MeetingId: meetingId, AttendeeId: b.self.attendeeId }));
    await waitFor(async () => (await b.state()).stoppedName === 'AudioAttendeeRemoved',
      { what: 'Gus stopped as removed' });
    const gone = await waitFor(async () => (await a.state()).presence.find(
      (p) => p.attendeeId === b.self.attendeeId && !p.present), { what: 'Fay: Gus gone' });
    assert.equal(gone.dropped, false);

    await client.send(new DeleteMeetingCommand({ MeetingId: meetingId }));
    await waitFor(async () => (await a.state()).stoppedName === 'MeetingEnded', { what: 'Fay stopped: meeting ended' });
  });
  test('after a LEAVE the attendee is off the roster; a dropped one stays for the reconnect window', async () => {
    const room = `roster-${Date.now()}`;
    const a = await attendee('Hal', room, { video: false });
    const b = await attendee('Ida', room, { video: false });
    const c = await attendee('Jon', room, { video: false });
    await Promise.all([started(a), started(b), started(c)]);
    assert.deepEqual(Object.keys((await rosterOf(server, room)).roster).sort(),
      [a.self.attendeeId, b.self.attendeeId, c.self.attendeeId].sort());

    await b.page.evaluate(() => window.sdkTest.leave());  // meetingSession.audioVideo.stop(): LEAVE
    await waitFor(async () => (await b.state()).stopped !== null, { what: 'Ida stopped' });
    await waitFor(async () => !((await rosterOf(server, room)).roster[b.self.attendeeId]),
      { what: 'Ida off the roster after LEAVE' });
    await c.close();  // no LEAVE: dropped, may come back
    await waitFor(async () => (await a.state()).presence.find(
      (p) => p.attendeeId === c.self.attendeeId && !p.present), { timeoutMs: 45000, what: 'Hal: Jon dropped' });
    const { roster } = await rosterOf(server, room);
    assert.equal(roster[a.self.attendeeId], 'Hal');
    assert.equal(roster[c.self.attendeeId], 'Jon');
    assert.equal(roster[b.self.attendeeId], undefined);
    await a.page.evaluate(() => window.sdkTest.leave());
  });

  test('a meeting older than the idle limit survives kill -9 and restart, and its clients reconnect into it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'medicall-restart-'));
    // Idle limit 2 s: the meeting is older than that when the server dies, and the first sweep after
    // the restart (5 s in) finds nobody connected, because the clients are kept offline until then.
    const own = await startServer({ args: ['--web-dir', webDir], dataDir, env: { MEDICALL_MEETING_IDLE_SECONDS: '2' } });
    try {
      const room = `restart-${Date.now()}`;
      const a = await attendee('Kim', room, { video: false }, own);
      const b = await attendee('Lou', room, { video: false }, own);
      await Promise.all([started(a), started(b)]);
      await new Promise((r) => setTimeout(r, 3000));  // older than the idle limit
      assert.equal((await rosterOf(own, room)).status, 200);

      for (const x of [a, b]) await x.context.setOffline(true);
      await own.kill9();
      await own.spawn();
      await new Promise((r) => setTimeout(r, 7000));  // past the first sweep after start-up
      assert.equal((await rosterOf(own, room)).status, 200, 'the meeting was ended while its clients reconnected');
      for (const x of [a, b]) await x.context.setOffline(false);

      // Both reconnect into the same meeting: a data message goes through, nobody was stopped.
      await waitFor(async () => {
        const m = await (await fetch(`${own.url}/metrics`)).text();
        return /medicall_signaling_attendees_connected 2\b/.test(m);
      }, { timeoutMs: 60000, what: 'both clients reconnected' });
      const text = `after restart ${Date.now()}`;
      await waitFor(async () => {
        await a.page.evaluate((t) => window.sdkTest.send(t), text);
        return (await b.state()).messages.find((m) => m.text === text);
      }, { timeoutMs: 30000, intervalMs: 1000, what: 'Lou: a data message from Kim after the restart' });
      for (const x of [a, b]) assert.equal((await x.state()).stopped, null, `${x.name} was stopped`);
      const { roster } = await rosterOf(own, room);
      assert.deepEqual(Object.values(roster).sort(), ['Kim', 'Lou']);
      for (const x of [a, b]) await x.page.evaluate(() => window.sdkTest.leave());
    } finally {
      await own.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
