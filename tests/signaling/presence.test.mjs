// MeetingSignaling's presence, mute, data-message and meeting-end frames, read by the SDK's own
// code: the C++ tool runs a scripted meeting (signaling_codec_tool scenario) and writes what the
// first attendee ("obs") receives; here those frames go through the SDK's DefaultSignalingClient
// into its ListenForVolumeIndicatorsTask (DefaultVolumeIndicatorAdapter -> DefaultRealtimeController)
// and SendAndReceiveDataMessagesTask, and the events an application would see are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(new URL('../package.json', import.meta.url));
const sdk = (p) => require(`amazon-chime-sdk-js/build/${p}`);
const { SdkSignalFrame } = sdk('signalingprotocol/SignalingProtocol.js');
const DefaultSignalingClient = sdk('signalingclient/DefaultSignalingClient').default;
const WebSocketReadyState = sdk('websocketadapter/WebSocketReadyState').default;
const DefaultRealtimeController = sdk('realtimecontroller/DefaultRealtimeController').default;
const DefaultVolumeIndicatorAdapter = sdk('volumeindicatoradapter/DefaultVolumeIndicatorAdapter').default;
const ListenForVolumeIndicatorsTask = sdk('task/ListenForVolumeIndicatorsTask').default;
const SendAndReceiveDataMessagesTask = sdk('task/SendAndReceiveDataMessagesTask').default;
const MeetingSessionStatus = sdk('meetingsession/MeetingSessionStatus').default;
const MeetingSessionStatusCode = sdk('meetingsession/MeetingSessionStatusCode').default;
const NoOpLogger = sdk('logger/NoOpLogger').default;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tool =
  process.env.SIGNALING_CODEC_TOOL || path.join(repoRoot, 'build/release/server/test/signaling/signaling_codec_tool');

function scenarioFrames() {
  assert.ok(existsSync(tool), `signaling_codec_tool not found at ${tool}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'signaling-scenario-'));
  try {
    const r = spawnSync(tool, ['scenario', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const count = Number(r.stdout.trim());
    assert.ok(count > 0);
    return Array.from({ length: count }, (_, i) =>
      readFileSync(path.join(dir, `obs-${String(i).padStart(3, '0')}.bin`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('presence, mute, data messages and meeting end as the SDK reports them', async () => {
  const logger = new NoOpLogger();
  const ws = {
    readyState: () => WebSocketReadyState.Open,
    send: () => true, create() {}, close() {}, destroy() {}, addEventListener() {}, removeEventListener() {},
  };
  const signalingClient = new DefaultSignalingClient(ws, logger);
  const realtimeController = new DefaultRealtimeController({});
  realtimeController.realtimeSetLocalAttendeeId('obs', 'observer');
  const volumeIndicatorAdapter = new DefaultVolumeIndicatorAdapter(logger, realtimeController, -42, -14, 'obs');
  const context = { logger, signalingClient, realtimeController, volumeIndicatorAdapter, removableObservers: [] };
  await new ListenForVolumeIndicatorsTask(context).run();
  await new SendAndReceiveDataMessagesTask(context).run();

  const presence = [];
  realtimeController.realtimeSubscribeToAttendeeIdPresence((attendeeId, present, externalUserId, dropped) =>
    presence.push([attendeeId, present, externalUserId, dropped]));
  const mutes = [];
  for (const id of ['a', 'b']) {
    realtimeController.realtimeSubscribeToVolumeIndicator(id, (attendeeId, volume, muted) => {
      if (muted !== null) mutes.push([attendeeId, muted]);
    });
  }
  const volumes = [];
  realtimeController.realtimeSubscribeToVolumeIndicator('obs', (attendeeId, volume, muted, signalStrength) => {
    if (volume !== null || signalStrength !== null) volumes.push([volume, signalStrength]);
  });
  const messages = [];
  realtimeController.realtimeSubscribeToReceiveDataMessage('chat', (m) => messages.push(m));

  const statuses = [];
  for (const bytes of scenarioFrames()) {
    assert.equal(bytes[0], 0x05);
    const decoded = SdkSignalFrame.decode(bytes.subarray(1));
    const status = MeetingSessionStatus.fromSignalFrame(decoded);
    if (status.statusCode() !== MeetingSessionStatusCode.OK) statuses.push(status.statusCode());
    signalingClient.receiveMessage(signalingClient.stripFrameTypeRTC(new Uint8Array(bytes)));
  }

  assert.deepEqual(presence, [
    ['obs', true, 'observer', false], // its own entry, after SUBSCRIBE_ACK
    ['a', true, 'dr-a', false],
    ['b', true, 'ext-b', false],
    ['b', false, 'ext-b', false], // LEAVE: left, not dropped
    ['a', true, 'dr-a', false], // reconnected with a higher stream id: no absence in between
    ['a', false, 'dr-a', true], // connection died: dropped
  ]);
  assert.deepEqual(mutes, [
    ['a', false],
    ['a', true],
    ['b', false],
    ['a', false], // the new session announced unmuted
  ]);
  assert.equal(messages.length, 1);
  assert.equal(messages[0].senderAttendeeId, 'b'); // not the "obs" b claimed to be
  assert.equal(messages[0].senderExternalUserId, 'ext-b');
  assert.equal(messages[0].text(), 'hello');
  assert.equal(messages[0].throttled, false);
  assert.ok(messages[0].timestampMs > Date.now() - 60_000);
  assert.deepEqual(volumes, [[1, 1]]); // -14 dBFS and signal strength 2 of 2
  assert.deepEqual(statuses, [MeetingSessionStatusCode.MeetingEnded]);
});
