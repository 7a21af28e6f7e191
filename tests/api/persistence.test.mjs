// State survives a crash: kill -9 the server right after acknowledged writes (and while writes are
// in flight), restart it on the same data directory, and compare GetMeeting, ListAttendees and
// /api/roster before and after.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  ChimeSDKMeetingsClient,
  CreateMeetingCommand,
  CreateAttendeeCommand,
  GetMeetingCommand,
  GetAttendeeCommand,
  ListAttendeesCommand,
  paginateListAttendees,
} from '@aws-sdk/client-chime-sdk-meetings';
import { startServer } from '../lib/server.mjs';

const CREDENTIALS = { accessKeyId: 'AKIDPERSIST', secretAccessKey: 'persist/secret' };

let server;
let dataDir;
after(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function client() {
  return new ChimeSDKMeetingsClient({ endpoint: server.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
}

async function listAll(chime, meetingId) {
  const out = [];
  for await (const page of paginateListAttendees({ client: chime, pageSize: 4 }, { MeetingId: meetingId })) {
    out.push(...page.Attendees);
  }
  return out;
}

async function snapshot(chime, meetingIds, rooms) {
  const meetings = {};
  for (const id of meetingIds) {
    meetings[id] = {
      meeting: (await chime.send(new GetMeetingCommand({ MeetingId: id }))).Meeting,
      attendees: await listAll(chime, id),
    };
  }
  const rosters = {};
  for (const room of rooms) {
    const res = await fetch(`${server.url}/api/roster/${room}`);
    rosters[room] = { status: res.status, body: await res.json() };
  }
  return { meetings, rosters };
}

test('kill -9 and restart keep meetings, attendees and rosters', async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'medicall-persist-'));
  server = await startServer({ credentials: CREDENTIALS, dataDir });
  let chime = client();

  const { Meeting: apiMeeting } = await chime.send(
    new CreateMeetingCommand({ ClientRequestToken: 'persist-token-1', MediaRegion: 'us-east-1', ExternalMeetingId: 'persist-api' }),
  );
  for (let i = 0; i < 9; i++) {
    await chime.send(new CreateAttendeeCommand({ MeetingId: apiMeeting.MeetingId, ExternalUserId: `api-user-${i}` }));
  }
  const joins = [];
  for (const [name, room] of [['Alice', 'persist-room'], ['Bob', 'persist-room'], ['Zoë', 'persist-room'], ['Dan', 'persist-room-2']]) {
    const res = await fetch(`${server.url}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, roomId: room }),
    });
    assert.equal(res.status, 200);
    joins.push((await res.json()).JoinInfo);
  }
  const meetingIds = [apiMeeting.MeetingId, joins[0].Meeting.MeetingId, joins[3].Meeting.MeetingId];
  const rooms = ['persist-room', 'persist-room-2'];
  const before = await snapshot(chime, meetingIds, rooms);
  assert.equal(before.meetings[apiMeeting.MeetingId].attendees.length, 9);
  assert.equal(Object.keys(before.rosters['persist-room'].body.roster).length, 3);
  assert.equal(before.rosters['persist-room'].body.roster[joins[2].Attendee.AttendeeId], 'Zoë');

  // The last acknowledged write, immediately followed by SIGKILL.
  const { Attendee: last } = await chime.send(
    new CreateAttendeeCommand({ MeetingId: apiMeeting.MeetingId, ExternalUserId: 'acknowledged-last' }),
  );
  const { JoinToken: _lastToken, ...lastListed } = last;  // lists never carry join tokens
  before.meetings[apiMeeting.MeetingId].attendees.push(lastListed);
  chime.destroy();
  await server.kill9();

  await server.spawn();
  chime = client();
  const afterRestart = await snapshot(chime, meetingIds, rooms);
  assert.deepEqual(afterRestart, before);

  // Join tokens still identify their attendees; the idempotency token still maps to the meeting.
  // The token is returned once, at creation (the store keeps its SHA-256 only), and still admits it.
  const got = await chime.send(new GetAttendeeCommand({ MeetingId: apiMeeting.MeetingId, AttendeeId: last.AttendeeId }));
  assert.equal(got.Attendee.AttendeeId, last.AttendeeId);
  assert.equal(got.Attendee.JoinToken, undefined);
  const byToken = await fetch(`${server.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${last.JoinToken}` },
    body: JSON.stringify({ metadata: { meetingId: apiMeeting.MeetingId, attendeeId: last.AttendeeId }, events: [] }),
  });
  assert.equal(byToken.status, 200, await byToken.text());
  const again = await chime.send(
    new CreateMeetingCommand({ ClientRequestToken: 'persist-token-1', MediaRegion: 'us-east-1', ExternalMeetingId: 'persist-api' }),
  );
  assert.equal(again.Meeting.MeetingId, apiMeeting.MeetingId);
  // A new join to the room lands in the same (restored) meeting.
  const res = await fetch(`${server.url}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Eve', roomId: 'persist-room' }),
  });
  assert.equal((await res.json()).JoinInfo.Meeting.MeetingId, joins[0].Meeting.MeetingId);
  chime.destroy();
});

test('kill -9 during a burst of writes: every acknowledged attendee survives', async () => {
  server = server ?? (await startServer({ credentials: CREDENTIALS, dataDir }));
  let chime = client();
  const { Meeting } = await chime.send(
    new CreateMeetingCommand({ ClientRequestToken: randomUUID(), MediaRegion: 'us-east-1', ExternalMeetingId: 'burst' }),
  );
  const acknowledged = [];
  let stop = false;
  const writers = Array.from({ length: 4 }, (_, w) =>
    (async () => {
      for (let i = 0; !stop && i < 60; i++) {
        try {
          const { Attendee } = await chime.send(
            new CreateAttendeeCommand({ MeetingId: Meeting.MeetingId, ExternalUserId: `burst-${w}-${i}` }),
          );
          acknowledged.push(Attendee.AttendeeId);
        } catch {
          return;  // the server died under us
        }
      }
    })(),
  );
  let finished = false;
  Promise.all(writers).then(() => (finished = true));
  while (acknowledged.length < 20 && !finished) await new Promise((r) => setTimeout(r, 5));
  await server.kill9();
  stop = true;
  await Promise.all(writers);
  chime.destroy();

  await server.spawn();
  chime = client();
  const ids = new Set((await listAll(chime, Meeting.MeetingId)).map((a) => a.AttendeeId));
  assert.ok(acknowledged.length >= 20);
  for (const id of acknowledged) assert.ok(ids.has(id), `acknowledged attendee ${id} lost`);
  const list = await chime.send(new ListAttendeesCommand({ MeetingId: Meeting.MeetingId, MaxResults: 100 }));
  assert.ok(list.Attendees.length >= acknowledged.length);
  chime.destroy();
});
