// Cross-implementation test of the signaling frame codec.
//   C++ -> SDK: frames encoded by server/test/signaling/signaling_codec_tool (our FrameCodec + our
//               .proto) are received by the SDK's own DefaultSignalingClient and decoded by its
//               generated decoder; every field is checked against values typed in below.
//   SDK -> C++: frames produced by the SDK's DefaultSignalingClient exactly as a browser sends them
//               (JOIN, SUBSCRIBE with a captured offer, LEAVE, PING, DATA_MESSAGE, AUDIO_CONTROL,
//               CLIENT_METRIC) are decoded by the tool; its JSON must equal the SDK's reading.
// The tool comes from the release build; SIGNALING_CODEC_TOOL overrides the path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(new URL('../package.json', import.meta.url));
const sdk = (p) => require(`amazon-chime-sdk-js/build/${p}`);
const P = sdk('signalingprotocol/SignalingProtocol.js');
const { SdkSignalFrame } = P;
const DefaultSignalingClient = sdk('signalingclient/DefaultSignalingClient').default;
const SignalingClientJoin = sdk('signalingclient/SignalingClientJoin').default;
const SignalingClientSubscribe = sdk('signalingclient/SignalingClientSubscribe').default;
const SignalingClientEventType = sdk('signalingclient/SignalingClientEventType').default;
const WebSocketReadyState = sdk('websocketadapter/WebSocketReadyState').default;
const VideoStreamDescription = sdk('videostreamindex/VideoStreamDescription').default;
const MeetingSessionStatus = sdk('meetingsession/MeetingSessionStatus').default;
const MeetingSessionStatusCode = sdk('meetingsession/MeetingSessionStatusCode').default;
const NoOpLogger = sdk('logger/NoOpLogger').default;

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const tool =
  process.env.SIGNALING_CODEC_TOOL || path.join(repoRoot, 'build/release/server/test/signaling/signaling_codec_tool');
const samples = path.join(here, 'samples');
const toObjectOptions = { longs: String, enums: String, bytes: String };
const kTimestamp = '1700000000123';

let work;
before(() => {
  assert.ok(existsSync(tool), `signaling_codec_tool not found at ${tool} (build the release preset or set SIGNALING_CODEC_TOOL)`);
  work = mkdtempSync(path.join(tmpdir(), 'signaling-codec-'));
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function runTool(...args) {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r;
}

// The SDK's signaling client on a fake, open WebSocket: what it sends is captured, and what we
// feed in goes through its own receive path (strip 0x05, SdkSignalFrame.decode, observers).
function sdkClient() {
  const sent = [];
  const ws = {
    readyState: () => WebSocketReadyState.Open,
    send: (bytes) => (sent.push(bytes), true),
    create() {},
    close() {},
    destroy() {},
    addEventListener() {},
    removeEventListener() {},
  };
  const client = new DefaultSignalingClient(ws, new NoOpLogger());
  client.wasOpened = true; // what the 'open' event handler would have set
  client.isClosing = false;
  assert.ok(client.ready());
  const events = [];
  client.registerObserver({ handleSignalingClientEvent: (e) => events.push(e) });
  return {
    client,
    sent,
    receive(bytes) {
      events.length = 0;
      client.receiveMessage(client.stripFrameTypeRTC(new Uint8Array(bytes)));
      const failures = events.filter((e) => e.type === SignalingClientEventType.ProtocolDecodeFailure);
      assert.equal(failures.length, 0, 'the SDK failed to decode the frame');
      const frames = events.filter((e) => e.type === SignalingClientEventType.ReceivedSignalFrame);
      assert.equal(frames.length, 1);
      return frames[0].message;
    },
    lastSent() {
      assert.ok(sent.length > 0, 'the SDK sent nothing');
      return sent[sent.length - 1];
    },
  };
}

// ---- C++ -> SDK -----------------------------------------------------------------------------------

const kAttendeeA = 'afdea064-56fb-4285-bc1a-e10ef9a4678b';
const kAttendeeB = 'c9bfb864-fb8c-410f-8d54-584c9cdbe579';
const kSdpAnswer = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\na=group:BUNDLE 0 1 2\r\n';

// What signaling_codec_tool encodes (SignalingCodecTool.cpp), typed in again here.
const expectedFromCpp = {
  join_ack: {
    timestampMs: kTimestamp,
    type: 'JOIN_ACK',
    joinack: {
      turnCredentials: {
        username: `1700086400:${kAttendeeB}`,
        password: 'q0f2n3Yv7yJb2bM2bq8bL1w0dGk=',
        ttl: 86400,
        uris: ['turn:10.0.0.1:3478?transport=udp', 'turns:turn.example.com:443?transport=tcp'],
      },
      videoSubscriptionLimit: 25,
      wantsCompressedSdp: false,
      defaultServerSideNetworkAdaption: 'NONE',
    },
  },
  index: {
    timestampMs: kTimestamp,
    type: 'INDEX',
    index: {
      atCapacity: false,
      sources: [
        { streamId: 10, groupId: 2, attendeeId: kAttendeeA, externalUserId: 'dr-house', mediaType: 'VIDEO',
          maxBitrateKbps: 1500, avgBitrateBps: 1200000, width: 1280, height: 720, framerate: 15 },
        { streamId: 12, groupId: 4, attendeeId: kAttendeeB, externalUserId: 'patient-élève', mediaType: 'VIDEO',
          maxBitrateKbps: 1500, avgBitrateBps: 1200000, width: 640, height: 480, framerate: 15 },
      ],
      numParticipants: 3,
      // What every attendee decodes (ReceiveVideoStreamIndexTask.handleSupportedVideoReceiveCodecIntersection).
      supportedReceiveCodecIntersection: ['VP8', 'H264_CONSTRAINED_BASELINE_PROFILE'],
    },
  },
  subscribe_ack: {
    timestampMs: kTimestamp,
    type: 'SUBSCRIBE_ACK',
    suback: {
      duplex: 'DUPLEX',
      sdpAnswer: kSdpAnswer,
      tracks: [
        { streamId: 10, ssrc: 3735928559, trackLabel: 'v_2' },
        { streamId: 12, ssrc: 349637081, trackLabel: 'v_3' },
      ],
      allocations: [{ trackLabel: 'AmazonChimeExpressVideo', streamId: 11, groupId: 2 }],
    },
  },
  audio_stream_id_info: {
    timestampMs: kTimestamp,
    type: 'AUDIO_STREAM_ID_INFO',
    audioStreamIdInfo: {
      streams: [
        { audioStreamId: 1, attendeeId: kAttendeeA, externalUserId: 'dr-house', muted: false },
        { audioStreamId: 2, muted: true },
        { audioStreamId: 3 },
        { audioStreamId: 4, dropped: true },
      ],
    },
  },
  audio_metadata: {
    timestampMs: kTimestamp,
    type: 'AUDIO_METADATA',
    audioMetadata: {
      attendeeStates: [
        { audioStreamId: 1, volume: 30, signalStrength: 2 },
        { audioStreamId: 2, volume: 0, muted: true, signalStrength: 0 },
      ],
    },
  },
  data_message: {
    timestampMs: kTimestamp,
    type: 'DATA_MESSAGE',
    dataMessage: {
      messages: [
        { topic: 'chat-1_x', data: Buffer.from('hi\0\xff\x80 there', 'latin1').toString('base64'), lifetimeMs: 300000,
          senderAttendeeId: kAttendeeA, senderExternalUserId: 'dr-house', ingestTimeNs: '1700000000123456768' },
        { topic: 't', data: Buffer.from('x').toString('base64'), senderAttendeeId: kAttendeeB,
          senderExternalUserId: 'patient', ingestTimeNs: '0' },
      ],
    },
  },
  pong: { timestampMs: kTimestamp, type: 'PING_PONG', pingPong: { type: 'PONG', pingId: 4294967295 } },
  pong_unstamped: { type: 'PING_PONG', pingPong: { type: 'PONG', pingId: 7 } }, // timestampMs: now
  audio_status: { timestampMs: kTimestamp, type: 'AUDIO_STATUS', audioStatus: { audioStatus: 410 } },
  leave_ack: { timestampMs: kTimestamp, type: 'LEAVE_ACK', leaveAck: {} },
  subscribe_error: {
    timestampMs: kTimestamp,
    type: 'SUBSCRIBE_ACK',
    error: { status: 400, description: 'SUBSCRIBE before JOIN' },
  },
};

let encodedByCpp;
function cppFrames() {
  if (!encodedByCpp) {
    const r = runTool('encode', work);
    assert.equal(r.status, 0, r.stderr);
    encodedByCpp = new Map(
      r.stdout.trim().split('\n').map((name) => [name, readFileSync(path.join(work, `${name}.bin`))]),
    );
  }
  return encodedByCpp;
}

test('the tool encodes exactly the frames this test expects', () => {
  assert.deepEqual([...cppFrames().keys()].sort(), Object.keys(expectedFromCpp).sort());
  for (const [name, bytes] of cppFrames()) assert.equal(bytes[0], 0x05, `${name}: prefix`);
});

for (const [name, expected] of Object.entries(expectedFromCpp)) {
  test(`C++ ${name} -> SDK decoder: every field`, () => {
    const bytes = cppFrames().get(name);
    assert.ok(bytes, `${name} not encoded`);
    assert.equal(bytes[0], 0x05);
    const frame = sdkClient().receive(bytes);
    assert.equal(SdkSignalFrame.verify(frame), null);
    const object = SdkSignalFrame.toObject(frame, toObjectOptions);
    if (name === 'pong_unstamped') {
      const ts = Number(object.timestampMs);
      assert.ok(Math.abs(ts - Date.now()) < 60_000, `timestamp_ms ${ts} not filled with the current time`);
      delete object.timestampMs;
    }
    if (name === 'data_message') {
      // Without Long (as in a browser bundle) int64 decodes to a number, printed in shortest form;
      // the value sent is exact as a double, so compare the exact integer.
      for (const m of object.dataMessage.messages) m.ingestTimeNs = BigInt(Number(m.ingestTimeNs)).toString();
    }
    assert.deepEqual(object, expected);
  });
}

test('C++ frames mean to the SDK what we intend', () => {
  const c = sdkClient();
  const status = (name) => MeetingSessionStatus.fromSignalFrame(c.receive(cppFrames().get(name))).statusCode();
  assert.equal(status('audio_status'), MeetingSessionStatusCode.MeetingEnded);
  assert.equal(status('subscribe_error'), MeetingSessionStatusCode.SignalingBadRequest);
  assert.equal(status('join_ack'), MeetingSessionStatusCode.OK);

  // Presence: the volume indicator adapter tests `hasOwnProperty('muted')` and `!!dropped`.
  const streams = c.receive(cppFrames().get('audio_stream_id_info')).audioStreamIdInfo.streams;
  assert.deepEqual(streams.map((s) => Object.prototype.hasOwnProperty.call(s, 'muted')), [true, true, false, false]);
  assert.deepEqual(streams.map((s) => !!s.dropped), [false, false, false, true]);

  // Data messages: ingest_time_ns 0 is how the SDK flags "throttled".
  const messages = c.receive(cppFrames().get('data_message')).dataMessage.messages;
  assert.deepEqual(messages.map((m) => Number(m.ingestTimeNs) === 0), [false, true]);
  assert.deepEqual([...messages[0].data], [...Buffer.from('hi\0\xff\x80 there', 'latin1')]);
});

// ---- SDK -> C++ -----------------------------------------------------------------------------------

function decodeWithTool(name, bytes) {
  const file = path.join(work, `sdk-${name}.bin`);
  writeFileSync(file, bytes);
  const r = runTool('decode', file);
  assert.equal(r.status, 0, `tool failed on ${name}: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function sdkReading(bytes) {
  return SdkSignalFrame.toObject(SdkSignalFrame.decode(bytes.subarray(1)), toObjectOptions);
}

const sampleJoin = JSON.parse(readFileSync(path.join(samples, 'join-frame.json'), 'utf8'));
const sampleSubscribe = JSON.parse(readFileSync(path.join(samples, 'subscribe-2-receive.json'), 'utf8')).subscribe;
const sampleOffer = readFileSync(path.join(samples, 'subscribe-2-receive.offer.sdp'), 'utf8');

test('SDK JOIN (as the browser sends it) -> C++', () => {
  const c = sdkClient();
  c.client.audioSessionId = sampleJoin.audioSessionId; // random per client; take the captured one
  const settings = new SignalingClientJoin();
  settings.browserBehavior = {
    name: () => sampleJoin.clientDetails.platformName,
    version: () => sampleJoin.clientDetails.platformVersion,
    osName: () => sampleJoin.clientDetails.osName,
  };
  c.client.join(settings);
  const bytes = c.lastSent();
  assert.equal(bytes[0], 0x05);
  const json = decodeWithTool('join', bytes);
  assert.equal(json.type, 'JOIN');
  // The SDK's own version and the test machine's UTC offset are what the capture had.
  assert.deepEqual(json.join, sampleJoin);
  assert.deepEqual(json, sdkReading(bytes));
});

test('SDK SUBSCRIBE with the captured offer (camera on, one remote video) -> C++', () => {
  const c = sdkClient();
  const video = new VideoStreamDescription(kAttendeeA, 2, 2, 1500);
  video.trackLabel = 'AmazonChimeExpressVideo';
  video.maxFrameRate = 15;
  video.avgBitrateKbps = undefined; // as captured: no average yet
  const settings = new SignalingClientSubscribe(
    sampleSubscribe.sendStreams[0].attendeeId, sampleOffer, sampleSubscribe.audioHost, false, false,
    sampleSubscribe.receiveStreamIds, true, [video], true, undefined);
  c.client.subscribe(settings);
  const bytes = c.lastSent();
  const json = decodeWithTool('subscribe', bytes);
  assert.equal(json.type, 'SUBSCRIBE');
  assert.deepEqual(json.sub, { ...sampleSubscribe, sdpOffer: sampleOffer });
  assert.deepEqual(json, sdkReading(bytes));
});

test('SDK LEAVE, PING, AUDIO_CONTROL -> C++', () => {
  const c = sdkClient();
  c.client.leave();
  let json = decodeWithTool('leave', c.lastSent());
  assert.equal(json.type, 'LEAVE');
  assert.deepEqual(json.leave, {});
  assert.deepEqual(json, sdkReading(c.lastSent()));

  c.client.pingPong(P.SdkPingPongFrame.create({ type: P.SdkPingPongType.PING, pingId: 3000000000 }));
  json = decodeWithTool('ping', c.lastSent());
  assert.deepEqual(json.pingPong, { type: 'PING', pingId: 3000000000 });
  assert.ok(Math.abs(Number(json.timestampMs) - Date.now()) < 60_000);
  assert.deepEqual(json, sdkReading(c.lastSent()));

  c.client.mute(true);
  json = decodeWithTool('mute', c.lastSent());
  assert.equal(json.type, 'AUDIO_CONTROL');
  assert.deepEqual(json.audioControl, { muted: true });
  c.client.mute(false);
  json = decodeWithTool('unmute', c.lastSent());
  assert.deepEqual(json.audioControl, { muted: false }); // present, not defaulted away
});

test('SDK DATA_MESSAGE -> C++', () => {
  const c = sdkClient();
  // As SendAndReceiveDataMessagesTask builds it.
  const message = P.SdkDataMessagePayload.create();
  message.topic = 'chat_room-1';
  message.lifetimeMs = 10000;
  message.data = new Uint8Array([0, 1, 2, 250, 251, 255, ...Buffer.from('{"text":"hello"}')]);
  const frame = P.SdkDataMessageFrame.create();
  frame.messages = [message];
  c.client.sendDataMessage(frame);
  const json = decodeWithTool('data', c.lastSent());
  assert.equal(json.type, 'DATA_MESSAGE');
  assert.deepEqual(json.dataMessage.messages, [
    { topic: 'chat_room-1', lifetimeMs: 10000, data: Buffer.from(message.data).toString('base64') },
  ]);
  assert.deepEqual(json, sdkReading(c.lastSent()));
});

test('SDK CLIENT_METRIC -> C++', () => {
  const c = sdkClient();
  const metrics = P.SdkClientMetricFrame.create({
    globalMetrics: [
      { type: P.SdkMetric.Type.RTC_MIC_JITTER_MS, value: 1.5 },
      { type: P.SdkMetric.Type.STUN_RTT_MS, value: 23 },
    ],
    streamMetricFrames: [
      {
        streamId: 2,
        groupId: 2,
        metrics: [{ type: P.SdkMetric.Type.VIDEO_SENT_FPS, value: 14.75 }],
        dimensions: [{ type: P.SdkStreamDimension.Type.VIDEO_ENCODER_NAME, value: { stringValue: 'libvpx' } }],
        mediaType: P.SdkStreamMediaType.VIDEO,
      },
    ],
  });
  c.client.sendClientMetrics(metrics);
  const json = decodeWithTool('metric', c.lastSent());
  assert.equal(json.type, 'CLIENT_METRIC');
  assert.equal(json.clientMetric.globalMetrics[0].type, 'RTC_MIC_JITTER_MS');
  assert.equal(json.clientMetric.globalMetrics[0].value, 1.5);
  assert.equal(json.clientMetric.streamMetricFrames[0].dimensions[0].value.stringValue, 'libvpx');
  assert.deepEqual(json, sdkReading(c.lastSent()));
});

test('the C++ decoder refuses what the SDK would not send', () => {
  const ping = SdkSignalFrame.encode(
    SdkSignalFrame.create({ timestampMs: 1, type: SdkSignalFrame.Type.PING_PONG,
      pingPong: { type: P.SdkPingPongType.PING, pingId: 1 } })).finish();
  const cases = [
    ['empty', Buffer.alloc(0), 'empty message'],
    ['prefix', Buffer.concat([Buffer.from([0x02]), ping]), 'unknown frame prefix (want 0x05)'],
    ['truncated', Buffer.concat([Buffer.from([0x05]), ping.subarray(0, ping.length - 1)]), 'unparsable SdkSignalFrame'],
    // timestamp only: `type` missing
    ['no-type', Buffer.from([0x05, 0x08, 0x01]), 'required field missing'],
    // PING_PONG whose ping_pong lacks the required ping_id
    ['no-ping-id', Buffer.from([0x05, 0x08, 0x01, 0x10, 19, 0xa2, 0x01, 0x02, 0x08, 0x01]), 'required field missing'],
    ['too-large', Buffer.concat([Buffer.from([0x05]), Buffer.alloc(1024 * 1024)]), 'message too large'],
  ];
  for (const [name, bytes, error] of cases) {
    const file = path.join(work, `bad-${name}.bin`);
    writeFileSync(file, bytes);
    const r = runTool('decode', file);
    assert.equal(r.status, 2, `${name}: ${r.stdout}`);
    assert.deepEqual(JSON.parse(r.stdout), { error }, name);
  }
});
