// Issue 16: who the signaling endpoint admits as a content share. The SDK's content client offers
// the subprotocols ['_aws_wt_session', '<JoinToken>#content']: the server admits it as
// '<AttendeeId>#content' with the base attendee's external user id while that attendee exists and
// its Content capability sends; anything else is refused at the upgrade (403).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteAttendeeCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import signalingProtocol from 'amazon-chime-sdk-js/build/signalingprotocol/SignalingProtocol.js';
import { startServer } from '../lib/server.mjs';
import { WsClient } from '../lib/ws-client.mjs';

const { SdkSignalFrame } = signalingProtocol;
let server;
let chime;

const encode = (frame) => Buffer.concat([Buffer.from([0x05]), SdkSignalFrame.encode(SdkSignalFrame.create(frame)).finish()]);
const decode = (bytes) => SdkSignalFrame.decode(bytes.subarray(1));

const connect = (meetingId, token) =>
  WsClient.connect(server.port, `/control/${meetingId}`, ['_aws_wt_session', token]);

async function refused(meetingId, token) {
  await assert.rejects(connect(meetingId, token), /upgrade answered 403/, `token ${token} was admitted`);
}

// JOIN, then the INDEX that follows JOIN_ACK (the content client waits for it).
async function joins(ws) {
  ws.sendBinary(encode({
    type: SdkSignalFrame.Type.JOIN, timestampMs: Date.now(),
    join: { protocolVersion: 2, flags: 2, audioSessionId: 7, wantsCompressedSdp: true },
  }));
  const types = [];
  for (;;) {
    const frame = decode(await ws.nextMessage((m) => m[0] === 0x05, 5000));
    types.push(frame.type);
    if (frame.type === SdkSignalFrame.Type.INDEX) return types;
    assert.ok(types.length < 5, `no INDEX after JOIN: ${types}`);
  }
}

before(async () => {
  server = await startServer();
  chime = new ChimeSDKMeetingsClient({
    endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
});

after(async () => {
  await server?.stop();
});

describe('content share join tokens', () => {
  test('<token>#content is admitted for an attendee that may share, and gets JOIN_ACK and INDEX', async () => {
    const { Meeting } = await chime.send(new CreateMeetingCommand({
      ClientRequestToken: `content-${Date.now()}`, MediaRegion: 'us-east-1', ExternalMeetingId: 'content-tokens',
    }));
    const { Attendee } = await chime.send(new CreateAttendeeCommand({ MeetingId: Meeting.MeetingId, ExternalUserId: 'alice' }));
    const ws = await connect(Meeting.MeetingId, `${Attendee.JoinToken}#content`);
    assert.deepEqual(await joins(ws), [SdkSignalFrame.Type.JOIN_ACK, SdkSignalFrame.Type.INDEX]);
    ws.close();

    // Not a content token: unknown base, empty base, a modality twice, another modality.
    for (const token of ['bm90LWEtdG9rZW4#content', '#content', `${Attendee.JoinToken}#content#content`,
      `${Attendee.JoinToken}#video`]) {
      await refused(Meeting.MeetingId, token);
    }
    // Another meeting's attendee cannot share into this one.
    const { Meeting: other } = await chime.send(new CreateMeetingCommand({
      ClientRequestToken: `content-other-${Date.now()}`, MediaRegion: 'us-east-1', ExternalMeetingId: 'other',
    }));
    await refused(other.MeetingId, `${Attendee.JoinToken}#content`);

    // A removed attendee's content token goes with it.
    await chime.send(new DeleteAttendeeCommand({ MeetingId: Meeting.MeetingId, AttendeeId: Attendee.AttendeeId }));
    await refused(Meeting.MeetingId, `${Attendee.JoinToken}#content`);
  });

  test('an attendee whose Content capability is None or Receive joins, but cannot share', async () => {
    const { Meeting } = await chime.send(new CreateMeetingCommand({
      ClientRequestToken: `content-caps-${Date.now()}`, MediaRegion: 'us-east-1', ExternalMeetingId: 'content-caps',
    }));
    for (const content of ['None', 'Receive']) {
      const { Attendee } = await chime.send(new CreateAttendeeCommand({
        MeetingId: Meeting.MeetingId, ExternalUserId: `viewer-${content}`,
        Capabilities: { Audio: 'SendReceive', Video: 'SendReceive', Content: content },
      }));
      await refused(Meeting.MeetingId, `${Attendee.JoinToken}#content`);
      const ws = await connect(Meeting.MeetingId, Attendee.JoinToken);
      ws.close();
    }
  });
});
