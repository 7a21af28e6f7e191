// Issue 4: browsers running the official, unmodified amazon-chime-sdk-js join meetings on our
// server through /join, see each other's video tiles bound to the right attendee, get presence
// events (join, leave, drop), exchange data messages and see each other's mute state.
// Runs headless Debian Chromium with fake devices; the suite runs inside `unshare -n`.
import { after, before, describe, test } from 'node:test';
import { ChimeSDKMeetingsClient, DeleteAttendeeCommand, DeleteMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import assert from 'node:assert/strict';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';

let server;
const browsers = [];

async function attendee(name, room, opts = {}) {
  const b = await launchBrowser();
  browsers.push(b);
  await b.page.goto(`${server.url}/`);
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

before(async () => {
  const webDir = await buildSdkPage();
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
});
