// Test page on the official, unmodified amazon-chime-sdk-js (bundled by tests/lib/sdk-page.mjs).
// Tests drive it through window.sdkTest and read what the SDK reported from window.sdkTest.state.
import {
  AllHighestVideoBandwidthPolicy,
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  LogLevel,
  MeetingSessionConfiguration,
  MeetingSessionStatusCode,
  VideoCodecCapability,
} from 'amazon-chime-sdk-js';

const state = {
  started: false,
  starts: 0,               // audioVideoDidStart calls (once more after each reconnect)
  stopped: null,           // MeetingSessionStatusCode on audioVideoDidStop
  stoppedName: null,       // its name, e.g. 'MeetingEnded'
  tiles: {},               // tileId -> {attendeeId, externalUserId, local, active, isContent, streamId}
  presence: [],            // {attendeeId, present, externalUserId, dropped, at}
  messages: [],            // {topic, text, senderAttendeeId, senderExternalUserId, throttled}
  volumes: {},             // attendeeId -> {volume, muted, signalStrength, updates}
  errors: [],
  self: null,
  connecting: [],          // audioVideoDidStartConnecting(reconnecting) calls, in order
  sdp: [],                 // {type: 'offer'|'answer', sdp}: every local offer and remote answer
};
let session = null;

// Records the SDP the SDK exchanges (local offers, remote answers); observes only.
function recordSdp() {
  const proto = window.RTCPeerConnection.prototype;
  const setLocal = proto.setLocalDescription;
  const setRemote = proto.setRemoteDescription;
  proto.setLocalDescription = function (description, ...rest) {
    if (description?.sdp) state.sdp.push({ type: description.type, sdp: description.sdp });
    return setLocal.call(this, description, ...rest);
  };
  proto.setRemoteDescription = function (description, ...rest) {
    if (description?.sdp) state.sdp.push({ type: description.type, sdp: description.sdp });
    return setRemote.call(this, description, ...rest);
  };
}
recordSdp();

// The SDK's signaling sockets, for tests that make its connection fail (see closeSignaling and
// muteSignaling below); the SDK itself is untouched and opens them as always.
const signalingSockets = [];
const mutedSockets = new Set();
{
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      signalingSockets.push(this);
    }
    send(data) {
      if (!mutedSockets.has(this)) super.send(data);
    }
  };
}

async function join(name, roomId, options = {}) {
  const res = await fetch('/join', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, roomId }),
  });
  if (!res.ok) throw new Error(`join failed: ${res.status} ${await res.text()}`);
  const { JoinInfo } = await res.json();
  return joinWith(JoinInfo, options);
}

// Joins with a JoinInfo ({Meeting, Attendee}) obtained elsewhere, e.g. the same attendee's twice.
// videoQuality: {width, height, frameRate} for chooseVideoInputQuality (the SDK's default is 960x540@15).
async function joinWith(JoinInfo, { video = true, presenceTimeoutMs = 0, simulcast = false, videoQuality = null, contentKeyframes = true, allHighest = false, videoCodecs = null } = {}) {
  const logger = new ConsoleLogger('sdk', LogLevel.WARN);
  const deviceController = new DefaultDeviceController(logger);
  const configuration = new MeetingSessionConfiguration(JoinInfo.Meeting, JoinInfo.Attendee);
  configuration.attendeePresenceTimeoutMs = presenceTimeoutMs;
  configuration.enableSimulcastForUnifiedPlanChromiumBasedBrowsers = simulcast;
  // Copied into the content share's JOIN (disable_periodic_keyframe_request_on_content_sender).
  configuration.disablePeriodicKeyframeRequestOnContentSender = !contentKeyframes;
  // The app's choice of downlink policy: the highest layer of every camera, whatever the estimate.
  if (allHighest) configuration.videoDownlinkBandwidthPolicy = new AllHighestVideoBandwidthPolicy(JoinInfo.Attendee.AttendeeId);
  session = new DefaultMeetingSession(configuration, logger, deviceController);
  state.self = { attendeeId: JoinInfo.Attendee.AttendeeId, externalUserId: JoinInfo.Attendee.ExternalUserId };
  const av = session.audioVideo;

  av.addObserver({
    audioVideoDidStart: () => { state.started = true; state.starts += 1; },
    audioVideoDidStartConnecting: (reconnecting) => { state.connecting.push({ reconnecting, at: Date.now() }); },
    audioVideoDidStop: (status) => {
      state.stopped = status.statusCode();
      state.stoppedName = MeetingSessionStatusCode[status.statusCode()];
    },
    videoTileDidUpdate: (tile) => {
      if (!tile.boundAttendeeId) return;
      state.tiles[tile.tileId] = {
        attendeeId: tile.boundAttendeeId,
        externalUserId: tile.boundExternalUserId,
        local: tile.localTile,
        active: tile.active,
        isContent: tile.isContent,
        streamId: tile.streamId,
      };
      if (!tile.localTile) {
        let el = document.getElementById(`tile-${tile.tileId}`);
        if (!el) {
          el = document.createElement('video');
          el.id = `tile-${tile.tileId}`;
          el.muted = true;
          el.autoplay = true;
          el.playsInline = true;
          document.getElementById('remote').appendChild(el);
        }
        av.bindVideoElement(tile.tileId, el);
      }
    },
    videoTileWasRemoved: (tileId) => {
      delete state.tiles[tileId];
      document.getElementById(`tile-${tileId}`)?.remove();
    },
  });

  av.realtimeSubscribeToAttendeeIdPresence((attendeeId, present, externalUserId, dropped) => {
    state.presence.push({ attendeeId, present, externalUserId, dropped: !!dropped, at: Date.now() });
    if (present) {
      av.realtimeSubscribeToVolumeIndicator(attendeeId, (id, volume, muted, signalStrength) => {
        const v = state.volumes[id] || { updates: 0, maxVolume: 0 };
        if (volume !== null) { v.volume = volume; v.maxVolume = Math.max(v.maxVolume, volume); }
        if (muted !== null) v.muted = muted;
        if (signalStrength !== null) v.signalStrength = signalStrength;
        v.updates++;
        state.volumes[id] = v;
      });
    }
  });
  av.realtimeSubscribeToReceiveDataMessage('chat', (m) => {
    state.messages.push({
      topic: m.topic,
      text: m.text(),
      senderAttendeeId: m.senderAttendeeId,
      senderExternalUserId: m.senderExternalUserId,
      throttled: m.throttled,
    });
  });

  const mics = await av.listAudioInputDevices();
  if (mics.length) await av.startAudioInput(mics[0].deviceId);
  await av.bindAudioElement(document.getElementById('audio'));
  if (video) {
    if (videoQuality) av.chooseVideoInputQuality(videoQuality.width, videoQuality.height, videoQuality.frameRate);
    const cams = await av.listVideoInputDevices();
    if (cams.length) await av.startVideoInput(cams[0].deviceId);
  }
  // The app's send codec preference (setVideoCodecSendPreferences), e.g. ['h264', 'vp8'].
  if (videoCodecs) {
    const byName = { h264: VideoCodecCapability.h264ConstrainedBaselineProfile(), vp8: VideoCodecCapability.vp8() };
    av.setVideoCodecSendPreferences(videoCodecs.map((c) => byName[c]));
  }
  av.start();
  if (video) av.startLocalVideoTile();
  return state.self;
}

// Inbound RTP stats of the peer connection, by kind, outbound video, plus the selected candidate pair.
async function stats() {
  const report = await session.audioVideo.getRTCPeerConnectionStats();
  const out = { video: [], audio: [], outboundVideo: [], remoteInboundVideo: [], pair: null, remoteCandidate: null,
    localCandidate: null };
  if (!report) return out; // no peer connection right now (e.g. while reconnecting)
  const byId = new Map();
  report.forEach((s) => byId.set(s.id, s));
  report.forEach((s) => {
    if (s.type === 'inbound-rtp') {
      const track = s.trackIdentifier;
      const entry = { ssrc: s.ssrc, packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded,
        totalAudioEnergy: s.totalAudioEnergy, audioLevel: s.audioLevel, track, mid: s.mid,
        nackCount: s.nackCount, pliCount: s.pliCount, firCount: s.firCount, frameWidth: s.frameWidth,
        bytesReceived: s.bytesReceived, freezeCount: s.freezeCount, framesPerSecond: s.framesPerSecond,
        packetsLost: s.packetsLost, framesDropped: s.framesDropped, keyFramesDecoded: s.keyFramesDecoded,
        totalFreezesDuration: s.totalFreezesDuration, jitterBufferDelay: s.jitterBufferDelay,
        jitterBufferEmittedCount: s.jitterBufferEmittedCount, framesReceived: s.framesReceived,
        codec: byId.get(s.codecId)?.mimeType || null };
      (s.kind === 'video' ? out.video : out.audio).push(entry);
    }
    if (s.type === 'outbound-rtp' && s.kind === 'video') {
      out.outboundVideo.push({ ssrc: s.ssrc, rid: s.rid, packetsSent: s.packetsSent, bytesSent: s.bytesSent,
        framesEncoded: s.framesEncoded, nackCount: s.nackCount, pliCount: s.pliCount, firCount: s.firCount,
        retransmittedPacketsSent: s.retransmittedPacketsSent, frameWidth: s.frameWidth,
        targetBitrate: s.targetBitrate, qualityLimitationReason: s.qualityLimitationReason, active: s.active,
        codec: byId.get(s.codecId)?.mimeType || null });
    }
    if (s.type === 'remote-inbound-rtp' && s.kind === 'video') {
      out.remoteInboundVideo.push({ ssrc: s.ssrc, packetsLost: s.packetsLost, roundTripTime: s.roundTripTime });
    }
    // Firefox has no transport.selectedCandidatePairId; it marks the pair itself.
    if (s.type === 'candidate-pair' && s.selected && !out.pair) {
      out.pair = s;
      out.remoteCandidate = byId.get(s.remoteCandidateId) || null;
      out.localCandidate = byId.get(s.localCandidateId) || null;
    }
    if (s.type === 'transport' && s.selectedCandidatePairId) {
      out.pair = byId.get(s.selectedCandidatePairId) || null;
      if (out.pair) out.remoteCandidate = byId.get(out.pair.remoteCandidateId) || null;
      if (out.pair) out.localCandidate = byId.get(out.pair.localCandidateId) || null;
    }
  });
  return out;
}

window.sdkTest = {
  state,
  join,
  stats,
  leave: async () => { session.audioVideo.stop(); },
  mute: () => session.audioVideo.realtimeMuteLocalAudio(),
  unmute: () => session.audioVideo.realtimeUnmuteLocalAudio(),
  stopVideo: async () => { session.audioVideo.stopLocalVideoTile(); await session.audioVideo.stopVideoInput(); },
  startVideo: async () => {
    const cams = await session.audioVideo.listVideoInputDevices();
    await session.audioVideo.startVideoInput(cams[0].deviceId);
    session.audioVideo.startLocalVideoTile();
  },
  send: (text) => session.audioVideo.realtimeSendDataMessage('chat', text, 10000),
  remoteTiles: () => Object.values(state.tiles).filter((t) => !t.local && t.active),
  // Every remote tile the SDK holds, bound to an attendee or not (a track it could not attribute).
  sdkRemoteTileCount: () => session.audioVideo.getAllRemoteVideoTiles().length,
  // The SDK's pauseVideoTile (PAUSE) on the remote tile of `attendeeId`; true when there was one.
  pauseTileOf: (attendeeId) => {
    const id = Object.keys(state.tiles).find((k) => !state.tiles[k].local && state.tiles[k].attendeeId === attendeeId);
    if (id === undefined) return false;
    session.audioVideo.pauseVideoTile(Number(id));
    return true;
  },
  // unpauseVideoTile (RESUME) on that tile, then the milliseconds until a new frame is decoded.
  resumeTileOf: async (attendeeId) => {
    const id = Object.keys(state.tiles).find((k) => !state.tiles[k].local && state.tiles[k].attendeeId === attendeeId);
    if (id === undefined) return -1;
    const decoded = async () => (await stats()).video.reduce((n, v) => n + (v.framesDecoded || 0), 0);
    const before = await decoded();
    const t0 = performance.now();
    session.audioVideo.unpauseVideoTile(Number(id));
    while (performance.now() - t0 < 10000) {
      if ((await decoded()) > before) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 20));
    }
    return -1;
  },
  joinWith,
  // The DefaultMeetingSession, for tests that drive more of the SDK (e.g. content share) themselves.
  session: () => session,
  // Closes the SDK's open signaling socket with `code` (the server echoes it back, so the SDK sees
  // what it would see had the server closed with it).
  closeSignaling: (code) => {
    const open = signalingSockets.filter((ws) => ws.readyState === WebSocket.OPEN);
    open.forEach((ws) => ws.close(code, 'test'));
    return open.length;
  },
  // From now on nothing the SDK sends on its open signaling socket leaves the page (no PING
  // either); the sockets it opens later work.
  muteSignaling: () => {
    const open = signalingSockets.filter((ws) => ws.readyState === WebSocket.OPEN);
    open.forEach((ws) => mutedSockets.add(ws));
    return open.length;
  },
};
