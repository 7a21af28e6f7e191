// Chime SDK Meetings API conformance: the official @aws-sdk/client-chime-sdk-meetings, unmodified,
// against the real server binary with SigV4 credentials configured.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  ChimeSDKMeetingsClient,
  CreateMeetingCommand,
  CreateMeetingWithAttendeesCommand,
  CreateAttendeeCommand,
  BatchCreateAttendeeCommand,
  GetMeetingCommand,
  GetAttendeeCommand,
  ListAttendeesCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  paginateListAttendees,
} from '@aws-sdk/client-chime-sdk-meetings';
import { signRequest } from '../lib/sigv4.mjs';
import { startServer } from '../lib/server.mjs';

const CREDENTIALS = { accessKeyId: 'AKIDMEDICALLTEST', secretAccessKey: 'medicall/test+secret/0123456789' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const JOIN_TOKEN = /^[A-Za-z0-9_-]{22,}$/;

function client(server, credentials = CREDENTIALS) {
  return new ChimeSDKMeetingsClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
}

async function expectError(promise, name, status) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

async function createMeeting(c, extra = {}) {
  const out = await c.send(
    new CreateMeetingCommand({ ClientRequestToken: randomUUID(), MediaRegion: 'us-east-1', ExternalMeetingId: 'ext-' + randomUUID().slice(0, 8), ...extra }),
  );
  return out.Meeting;
}

describe('meetings API with SigV4 credentials', () => {
  let server;
  let chime;
  before(async () => {
    server = await startServer({ credentials: CREDENTIALS, args: ['--max-attendees', '250'] });
    chime = client(server);
  });
  after(async () => {
    chime?.destroy();
    await server?.stop();
  });

  test('CreateMeeting returns a full Meeting pointing at this server', async () => {
    const m = await createMeeting(chime, {
      ExternalMeetingId: 'room-alpha',
      MeetingHostId: 'host-1',
      MeetingFeatures: { Audio: { EchoReduction: 'AVAILABLE' } },
      Tags: [{ Key: 'dept', Value: 'cardiology' }],
    });
    assert.match(m.MeetingId, UUID);
    assert.equal(m.ExternalMeetingId, 'room-alpha');
    assert.equal(m.MeetingHostId, 'host-1');
    assert.equal(m.MediaRegion, 'us-east-1');
    assert.equal(m.MeetingArn, `arn:aws:chime:us-east-1:000000000000:meeting/${m.MeetingId}`);
    assert.deepEqual(m.MeetingFeatures, { Audio: { EchoReduction: 'AVAILABLE' } });
    const mp = m.MediaPlacement;
    assert.equal(mp.SignalingUrl, `ws://127.0.0.1:${server.port}/control/${m.MeetingId}`);
    assert.ok(!mp.SignalingUrl.includes('?'));
    assert.equal(mp.AudioHostUrl, `127.0.0.1:${server.mediaPort}`);
    assert.equal(mp.EventIngestionUrl, `http://127.0.0.1:${server.port}/events`);
    assert.equal(mp.TurnControlUrl, `http://127.0.0.1:${server.port}/v2/turn_sessions`);
    for (const key of ['AudioFallbackUrl', 'ScreenDataUrl', 'ScreenSharingUrl', 'ScreenViewingUrl']) {
      assert.ok(mp[key].startsWith(`ws://127.0.0.1:${server.port}/`), key);
      assert.ok(mp[key].includes(m.MeetingId), key);
    }
  });

  test('CreateMeeting is idempotent on ClientRequestToken', async () => {
    const token = randomUUID();
    const params = { ClientRequestToken: token, MediaRegion: 'us-east-1', ExternalMeetingId: 'idem-room' };
    const a = await chime.send(new CreateMeetingCommand(params));
    const b = await chime.send(new CreateMeetingCommand(params));
    const c = await chime.send(new CreateMeetingCommand({ ...params, ClientRequestToken: randomUUID() }));
    assert.equal(a.Meeting.MeetingId, b.Meeting.MeetingId);
    assert.notEqual(a.Meeting.MeetingId, c.Meeting.MeetingId);
  });

  test('GetMeeting returns what CreateMeeting returned', async () => {
    const m = await createMeeting(chime, { ExternalMeetingId: 'get-room' });
    const got = await chime.send(new GetMeetingCommand({ MeetingId: m.MeetingId }));
    assert.deepEqual(got.Meeting, m);
  });

  test('CreateAttendee, GetAttendee, DeleteAttendee', async () => {
    const m = await createMeeting(chime);
    const { Attendee: a } = await chime.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'alice-1' }),
    );
    assert.match(a.AttendeeId, UUID);
    assert.match(a.JoinToken, JOIN_TOKEN);
    assert.ok(a.JoinToken.length >= 22, 'at least 128 bits');
    assert.equal(a.ExternalUserId, 'alice-1');
    assert.deepEqual(a.Capabilities, { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' });

    const got = await chime.send(new GetAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: a.AttendeeId }));
    // The join token is returned once, at creation (the store keeps only its SHA-256), as AWS does.
    const { JoinToken: _token, ...listed } = a;
    assert.deepEqual(got.Attendee, listed);

    const withCaps = await chime.send(
      new CreateAttendeeCommand({
        MeetingId: m.MeetingId,
        ExternalUserId: 'viewer-1',
        Capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'None' },
      }),
    );
    assert.deepEqual(withCaps.Attendee.Capabilities, { Audio: 'Receive', Video: 'Receive', Content: 'None' });

    const del = await chime.send(new DeleteAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: a.AttendeeId }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await expectError(
      chime.send(new GetAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: a.AttendeeId })),
      'NotFoundException',
      404,
    );
  });

  test('CreateMeetingWithAttendees', async () => {
    const out = await chime.send(
      new CreateMeetingWithAttendeesCommand({
        ClientRequestToken: randomUUID(),
        MediaRegion: 'us-east-1',
        ExternalMeetingId: 'with-attendees',
        Attendees: [{ ExternalUserId: 'doc-1' }, { ExternalUserId: 'patient-1' }, { ExternalUserId: 'x' }],
      }),
    );
    assert.match(out.Meeting.MeetingId, UUID);
    assert.equal(out.Meeting.ExternalMeetingId, 'with-attendees');
    assert.deepEqual(out.Attendees.map((a) => a.ExternalUserId), ['doc-1', 'patient-1']);
    for (const a of out.Attendees) assert.match(a.JoinToken, JOIN_TOKEN);
    assert.equal(out.Errors.length, 1);
    assert.equal(out.Errors[0].ExternalUserId, 'x');
    assert.equal(out.Errors[0].ErrorCode, 'BadRequest');
    const list = await chime.send(new ListAttendeesCommand({ MeetingId: out.Meeting.MeetingId }));
    assert.equal(list.Attendees.length, 2);
  });

  test('BatchCreateAttendee', async () => {
    const m = await createMeeting(chime);
    const out = await chime.send(
      new BatchCreateAttendeeCommand({
        MeetingId: m.MeetingId,
        Attendees: Array.from({ length: 5 }, (_, i) => ({ ExternalUserId: `batch-${i}` })),
      }),
    );
    assert.equal(out.Attendees.length, 5);
    assert.equal(out.Errors.length, 0);
    assert.equal(new Set(out.Attendees.map((a) => a.AttendeeId)).size, 5);
    assert.equal(new Set(out.Attendees.map((a) => a.JoinToken)).size, 5);
  });

  test('ListAttendees paginates with NextToken and MaxResults', async () => {
    const m = await createMeeting(chime);
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const out = await chime.send(
        new BatchCreateAttendeeCommand({
          MeetingId: m.MeetingId,
          Attendees: Array.from({ length: 10 }, (_, k) => ({ ExternalUserId: `user-${i * 10 + k}` })),
        }),
      );
      ids.push(...out.Attendees.map((a) => a.AttendeeId));
    }
    const first = await chime.send(new ListAttendeesCommand({ MeetingId: m.MeetingId, MaxResults: 7 }));
    assert.equal(first.Attendees.length, 7);
    assert.ok(first.NextToken);
    const seen = [];
    let pages = 0;
    for await (const page of paginateListAttendees({ client: chime, pageSize: 7 }, { MeetingId: m.MeetingId })) {
      pages++;
      assert.ok(page.Attendees.length <= 7);
      seen.push(...page.Attendees.map((a) => a.AttendeeId));
    }
    assert.equal(pages, 5);
    assert.deepEqual(seen, ids);
    const all = await chime.send(new ListAttendeesCommand({ MeetingId: m.MeetingId }));
    assert.equal(all.Attendees.length, 30);
    assert.equal(all.NextToken, undefined);
    await expectError(
      chime.send(new ListAttendeesCommand({ MeetingId: m.MeetingId, MaxResults: 101 })),
      'BadRequestException',
      400,
    );
    await expectError(
      chime.send(new ListAttendeesCommand({ MeetingId: m.MeetingId, NextToken: 'not-a-token' })),
      'BadRequestException',
      400,
    );
  });

  test('DeleteMeeting ends the meeting and its attendees', async () => {
    const m = await createMeeting(chime);
    const { Attendee: a } = await chime.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'bob-1' }));
    const del = await chime.send(new DeleteMeetingCommand({ MeetingId: m.MeetingId }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await expectError(chime.send(new GetMeetingCommand({ MeetingId: m.MeetingId })), 'NotFoundException', 404);
    await expectError(
      chime.send(new GetAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: a.AttendeeId })),
      'NotFoundException',
      404,
    );
    await expectError(chime.send(new DeleteMeetingCommand({ MeetingId: m.MeetingId })), 'NotFoundException', 404);
  });

  test('NotFound for unknown meetings and attendees', async () => {
    const unknown = randomUUID();
    await expectError(chime.send(new GetMeetingCommand({ MeetingId: unknown })), 'NotFoundException', 404);
    await expectError(
      chime.send(new CreateAttendeeCommand({ MeetingId: unknown, ExternalUserId: 'alice-1' })),
      'NotFoundException',
      404,
    );
    await expectError(chime.send(new ListAttendeesCommand({ MeetingId: unknown })), 'NotFoundException', 404);
    const m = await createMeeting(chime);
    await expectError(
      chime.send(new GetAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: randomUUID() })),
      'NotFoundException',
      404,
    );
    await expectError(
      chime.send(new DeleteAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: randomUUID() })),
      'NotFoundException',
      404,
    );
  });

  test('BadRequest for invalid input', async () => {
    const m = await createMeeting(chime);
    await expectError(
      chime.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'a' })),
      'BadRequestException',
      400,
    );
    await expectError(
      chime.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'x'.repeat(65) })),
      'BadRequestException',
      400,
    );
    await expectError(
      chime.send(new CreateMeetingCommand({ ClientRequestToken: randomUUID(), MediaRegion: 'us-east-1', ExternalMeetingId: 'x' })),
      'BadRequestException',
      400,
    );
    await expectError(
      chime.send(new GetMeetingCommand({ MeetingId: 'not-a-uuid' })),
      'BadRequestException',
      400,
    );
  });

  test('malformed JSON is a BadRequestException with x-amzn-errortype', async () => {
    // Correctly signed (tests/lib/sigv4.mjs) so that only the body is wrong.
    const body = '{"MediaRegion": "us-east-1", ';
    const headers = signRequest({
      method: 'POST',
      url: `${server.url}/meetings`,
      headers: { 'content-type': 'application/json' },
      body,
      credentials: CREDENTIALS,
    });
    // The same signer with a well-formed body succeeds: the 400 below is about the JSON only.
    const goodBody = JSON.stringify({ MediaRegion: 'us-east-1', ExternalMeetingId: 'signed-by-hand' });
    const good = await fetch(`${server.url}/meetings`, {
      method: 'POST',
      headers: signRequest({ method: 'POST', url: `${server.url}/meetings`, headers: { 'content-type': 'application/json' }, body: goodBody, credentials: CREDENTIALS }),
      body: goodBody,
    });
    assert.equal(good.status, 200, await good.clone().text());
    assert.equal((await good.json()).Meeting.ExternalMeetingId, 'signed-by-hand');
    const res = await fetch(`${server.url}/meetings`, { method: 'POST', headers, body });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'BadRequestException');
    assert.equal((await res.json()).Code, 'BadRequestException');
  });

  test('Forbidden with a wrong secret or an unknown access key', async () => {
    const wrongSecret = client(server, { ...CREDENTIALS, secretAccessKey: 'not-the-secret' });
    const wrongKey = client(server, { ...CREDENTIALS, accessKeyId: 'AKIDSOMEONEELSE' });
    try {
      await expectError(createMeeting(wrongSecret), 'ForbiddenException', 403);
      await expectError(createMeeting(wrongKey), 'ForbiddenException', 403);
      await expectError(wrongSecret.send(new GetMeetingCommand({ MeetingId: randomUUID() })), 'ForbiddenException', 403);
    } finally {
      wrongSecret.destroy();
      wrongKey.destroy();
    }
  });

  test('unsigned requests are refused even from loopback', async () => {
    const res = await fetch(`${server.url}/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ MediaRegion: 'us-east-1', ExternalMeetingId: 'unsigned' }),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('x-amzn-errortype'), 'UnauthorizedException');
    const forged = await fetch(`${server.url}/meetings/${randomUUID()}`, {
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDMEDICALLTEST/20250101/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
          '0'.repeat(64),
        'x-amz-date': new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, ''),
      },
    });
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.get('x-amzn-errortype'), 'ForbiddenException');
  });
});

describe('meetings API limits', () => {
  let server;
  let chime;
  before(async () => {
    server = await startServer({ credentials: CREDENTIALS, args: ['--max-attendees', '3'] });
    chime = client(server);
  });
  after(async () => {
    chime?.destroy();
    await server?.stop();
  });

  test('LimitExceededException beyond --max-attendees', async () => {
    const m = await createMeeting(chime);
    for (let i = 0; i < 3; i++) {
      await chime.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: `member-${i}` }));
    }
    await expectError(
      chime.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'member-3' })),
      'LimitExceededException',
      429,
    );
    await expectError(
      chime.send(
        new BatchCreateAttendeeCommand({ MeetingId: m.MeetingId, Attendees: [{ ExternalUserId: 'member-4' }] }),
      ),
      'LimitExceededException',
      429,
    );
    const list = await chime.send(new ListAttendeesCommand({ MeetingId: m.MeetingId }));
    assert.equal(list.Attendees.length, 3);
  });
});

describe('meetings API without credentials', () => {
  let server;
  before(async () => {
    server = await startServer({});
  });
  after(async () => {
    await server?.stop();
  });

  test('loopback clients are served without a signature', async () => {
    const res = await fetch(`${server.url}/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ MediaRegion: 'us-east-1', ExternalMeetingId: 'loopback-room' }),
    });
    assert.equal(res.status, 200);
    const { Meeting } = await res.json();
    assert.match(Meeting.MeetingId, UUID);
    const get = await fetch(`${server.url}/meetings/${Meeting.MeetingId}`);
    assert.equal(get.status, 200);
    assert.equal((await get.json()).Meeting.ExternalMeetingId, 'loopback-room');
  });
});
