// MediCall app API: POST /join and GET /api/roster/:roomId against the real server binary.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function post(server, body, contentType = 'application/json') {
  const headers = contentType ? { 'content-type': contentType } : {};
  const res = await fetch(`${server.url}/join`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

async function join(server, name, roomId) {
  const r = await post(server, { name, roomId });
  assert.equal(r.status, 200, r.text);
  return r.json.JoinInfo;
}

async function roster(server, roomId) {
  const res = await fetch(`${server.url}/api/roster/${roomId}`);
  return { status: res.status, json: await res.json() };
}

function assertError(r, status) {
  assert.equal(r.status, status, r.text);
  assert.equal(typeof r.json?.error, 'string', r.text);
  assert.equal(typeof r.json?.message, 'string', r.text);
}

describe('/join and /api/roster', () => {
  let server;
  before(async () => {
    server = await startServer({ args: ['--max-attendees', '12'] });
  });
  after(async () => {
    await server?.stop();
  });

  test('join returns JoinInfo in the Chime shapes', async () => {
    const info = await join(server, 'Dr. Alice', 'clinic-1');
    const { Meeting: m, Attendee: a } = info;
    assert.match(m.MeetingId, UUID);
    assert.equal(m.ExternalMeetingId, 'clinic-1');
    assert.equal(m.MediaPlacement.SignalingUrl, `ws://127.0.0.1:${server.port}/control/${m.MeetingId}`);
    assert.equal(m.MediaPlacement.AudioHostUrl, `127.0.0.1:${server.mediaPort}`);
    assert.match(a.AttendeeId, UUID);
    assert.match(a.JoinToken, /^[A-Za-z0-9_-]{22,}$/);
    assert.ok(a.ExternalUserId.length >= 2 && a.ExternalUserId.length <= 64);
    assert.ok(a.ExternalUserId.startsWith('Dr_Alice'), a.ExternalUserId);
    // The meetings API sees the same meeting and attendee.
    const get = await fetch(`${server.url}/meetings/${m.MeetingId}/attendees/${a.AttendeeId}`);
    assert.equal(get.status, 200);
    const { JoinToken: _token, ...listed } = a;  // the join token is returned once, at creation
    assert.deepEqual((await get.json()).Attendee, listed);
  });

  test('joins to one room share a meeting; the roster maps attendee ids to names', async () => {
    const alice = await join(server, 'Alice', 'room-roster');
    const bob = await join(server, '  Bob  ', 'room-roster');
    const other = await join(server, 'Carol', 'room-other');
    assert.equal(alice.Meeting.MeetingId, bob.Meeting.MeetingId);
    assert.notEqual(alice.Meeting.MeetingId, other.Meeting.MeetingId);
    const r = await roster(server, 'room-roster');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {
      roster: { [alice.Attendee.AttendeeId]: 'Alice', [bob.Attendee.AttendeeId]: 'Bob' },
    });
    // An attendee deleted through the meetings API leaves the roster.
    const del = await fetch(`${server.url}/meetings/${bob.Meeting.MeetingId}/attendees/${bob.Attendee.AttendeeId}`, {
      method: 'DELETE',
    });
    assert.equal(del.status, 204);
    assert.deepEqual((await roster(server, 'room-roster')).json, { roster: { [alice.Attendee.AttendeeId]: 'Alice' } });
  });

  // The server handles /join one at a time (on its store thread), so this checks that ten requests
  // in flight together, on ten connections, all find the meeting the first one created.
  test('10 joins in flight at once to a new room land in one meeting', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(server, { name: `Person ${i}`, roomId: 'fresh-room-concurrent' })),
    );
    for (const r of results) assert.equal(r.status, 200, r.text);
    const meetingIds = new Set(results.map((r) => r.json.JoinInfo.Meeting.MeetingId));
    const attendeeIds = new Set(results.map((r) => r.json.JoinInfo.Attendee.AttendeeId));
    assert.equal(meetingIds.size, 1);
    assert.equal(attendeeIds.size, 10);
    const r = await roster(server, 'fresh-room-concurrent');
    assert.equal(Object.keys(r.json.roster).length, 10);
    assert.deepEqual(new Set(Object.values(r.json.roster)), new Set(Array.from({ length: 10 }, (_, i) => `Person ${i}`)));
  });

  test('a full room answers 429', async () => {
    for (let i = 0; i < 12; i++) await join(server, `p${i}`, 'full-room');
    assertError(await post(server, { name: 'one too many', roomId: 'full-room' }), 429);
  });

  test('unknown room roster is 404', async () => {
    const r = await fetch(`${server.url}/api/roster/no-such-room`);
    assert.equal(r.status, 404);
    const body = await r.json();
    assert.equal(typeof body.error, 'string');
  });

  test('names: trimmed, 1-64 characters (not bytes)', async () => {
    const cjk = '李'.repeat(64);
    const info = await join(server, cjk, 'names-room');
    const r = await roster(server, 'names-room');
    assert.equal(r.json.roster[info.Attendee.AttendeeId], cjk);
    assert.ok(info.Attendee.ExternalUserId.length >= 2);
    await join(server, 'x'.repeat(64), 'names-room');
    assertError(await post(server, { name: 'x'.repeat(65), roomId: 'names-room' }), 400);
    assertError(await post(server, { name: '李'.repeat(65), roomId: 'names-room' }), 400);
    assertError(await post(server, { name: '', roomId: 'names-room' }), 400);
    assertError(await post(server, { name: '   ', roomId: 'names-room' }), 400);
    assertError(await post(server, { name: 42, roomId: 'names-room' }), 400);
    assertError(await post(server, { name: 'bell\u0007', roomId: 'names-room' }), 400);
    assertError(await post(server, { roomId: 'names-room' }), 400);
  });

  test('room ids: 1-64 of [A-Za-z0-9_-]', async () => {
    await join(server, 'A', 'r');
    await join(server, 'A', 'R'.repeat(64));
    for (const roomId of ['', 'a b', '../etc', 'x'.repeat(65), 'room!', 'ünï', 7, null]) {
      assertError(await post(server, { name: 'A', roomId }), 400);
    }
    assertError(await post(server, { name: 'A' }), 400);
  });

  test('malformed JSON is 400, wrong content type 415, oversized body 413', async () => {
    assertError(await post(server, '{"name": "A", '), 400);
    assertError(await post(server, '"just a string"'), 400);
    assertError(await post(server, { name: 'A', roomId: 'r' }, 'text/plain'), 415);
    assertError(await post(server, { name: 'A', roomId: 'r' }, 'application/x-www-form-urlencoded'), 415);
    const big = await post(server, JSON.stringify({ name: 'A', roomId: 'r', pad: 'x'.repeat(200 * 1024) }));
    assert.equal(big.status, 413);
    // None of the refused requests created anything.
    assert.equal((await roster(server, 'r')).status, 200);
    assert.equal(Object.keys((await roster(server, 'r')).json.roster).length, 1);
  });

  test('GET /join is not allowed', async () => {
    const res = await fetch(`${server.url}/join`);
    assert.equal(res.status, 405);
  });
});
