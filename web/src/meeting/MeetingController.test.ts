import {
  DataMessage,
  MeetingSessionStatus,
  MeetingSessionStatusCode,
  NotReadableError,
  type AudioVideoFacade,
  type AudioVideoObserver,
  type ContentShareObserver,
  type VideoTileState,
} from 'amazon-chime-sdk-js';
import { describe, expect, it } from 'vitest';

import type { RosterNames } from './api';
import { MeetingController } from './MeetingController';
import { participantList } from './roster';

type Presence = (id: string, present: boolean, ext?: string, dropped?: boolean) => void;
type Volume = (id: string, volume: number | null, muted: boolean | null, signal: number | null) => void;

/** The part of AudioVideoFacade the controller uses, recording calls and exposing the callbacks. */
class FakeAudioVideo {
  observers = new Set<AudioVideoObserver>();
  presence: Presence[] = [];
  volume = new Map<string, Volume>();
  dataHandlers = new Map<string, (m: DataMessage) => void>();
  muteHandlers: ((muted: boolean) => void)[] = [];
  signalHandlers: ((s: number) => void)[] = [];
  sent: { topic: string; data: Uint8Array }[] = [];
  calls: string[] = [];
  muted = false;
  failVideoWith: Error | null = null;

  addObserver(o: AudioVideoObserver) { this.observers.add(o); }
  removeObserver(o: AudioVideoObserver) { this.observers.delete(o); }
  addDeviceChangeObserver() {}
  removeDeviceChangeObserver() {}
  contentObservers = new Set<ContentShareObserver>();
  addContentShareObserver(o: ContentShareObserver) { this.contentObservers.add(o); }
  removeContentShareObserver(o: ContentShareObserver) { this.contentObservers.delete(o); }
  cancelScreenPicker = false;
  async startContentShareFromScreenCapture() {
    this.calls.push('startContentShare');
    if (this.cancelScreenPicker) throw new DOMException('Permission denied', 'NotAllowedError');
  }
  stopContentShare() {
    this.calls.push('stopContentShare');
    this.contentObservers.forEach((o) => o.contentShareDidStop?.());
  }
  contentEvent(name: 'contentShareDidStart' | 'contentShareDidStop') { this.contentObservers.forEach((o) => o[name]?.()); }
  realtimeSubscribeToAttendeeIdPresence(cb: Presence) { this.presence.push(cb); }
  realtimeUnsubscribeToAttendeeIdPresence(cb: Presence) { this.presence = this.presence.filter((c) => c !== cb); }
  realtimeSubscribeToMuteAndUnmuteLocalAudio(cb: (m: boolean) => void) { this.muteHandlers.push(cb); }
  realtimeUnsubscribeToMuteAndUnmuteLocalAudio() { this.muteHandlers = []; }
  realtimeSubscribeToLocalSignalStrengthChange(cb: (s: number) => void) { this.signalHandlers.push(cb); }
  realtimeUnsubscribeToLocalSignalStrengthChange() { this.signalHandlers = []; }
  realtimeSubscribeToReceiveDataMessage(topic: string, cb: (m: DataMessage) => void) { this.dataHandlers.set(topic, cb); }
  realtimeUnsubscribeFromReceiveDataMessage(topic: string) { this.dataHandlers.delete(topic); }
  realtimeSubscribeToVolumeIndicator(id: string, cb: Volume) { this.volume.set(id, cb); }
  realtimeUnsubscribeFromVolumeIndicator(id: string) { this.volume.delete(id); }
  realtimeSendDataMessage(topic: string, data: Uint8Array) { this.sent.push({ topic, data }); }
  realtimeMuteLocalAudio() { this.muted = true; this.muteHandlers.forEach((h) => h(true)); }
  realtimeUnmuteLocalAudio() { this.muted = false; this.muteHandlers.forEach((h) => h(false)); return true; }
  start() { this.calls.push('start'); }
  /** Like the SDK: stop() reports audioVideoDidStop(Left) a little later, unless a test holds it back. */
  stopEmits = true;
  stop() {
    this.calls.push('stop');
    if (this.stopEmits) {
      queueMicrotask(() => this.emit((o) => o.audioVideoDidStop?.(new MeetingSessionStatus(MeetingSessionStatusCode.Left))));
    }
  }
  startLocalVideoTile() { this.calls.push('startLocalVideoTile'); return 1; }
  stopLocalVideoTile() { this.calls.push('stopLocalVideoTile'); }
  async startVideoInput(id: string) {
    if (this.failVideoWith) throw this.failVideoWith;
    this.calls.push(`startVideoInput:${id}`);
    return undefined;
  }
  async stopVideoInput() { this.calls.push('stopVideoInput'); }
  async startAudioInput(id: string) { this.calls.push(`startAudioInput:${id}`); return undefined; }
  async stopAudioInput() { this.calls.push('stopAudioInput'); }
  async chooseAudioOutput(id: string) { this.calls.push(`chooseAudioOutput:${id}`); }
  async listAudioInputDevices() { return [{ deviceId: 'mic1', label: 'Mic' }] as MediaDeviceInfo[]; }
  async listVideoInputDevices() { return [{ deviceId: 'cam1', label: 'Cam' }] as MediaDeviceInfo[]; }
  async listAudioOutputDevices() { return [] as MediaDeviceInfo[]; }
  bindVideoElement(tileId: number) { this.calls.push(`bind:${tileId}`); }
  unbindVideoElement(tileId: number) { this.calls.push(`unbind:${tileId}`); }

  emit(fn: (o: AudioVideoObserver) => void) { this.observers.forEach(fn); }
  present(id: string, present: boolean, dropped = false) { this.presence.forEach((cb) => cb(id, present, `ext-${id}`, dropped)); }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(roster: RosterNames = { bob: 'Bob', carol: 'Carol' }) {
  const av = new FakeAudioVideo();
  let rosterCalls = 0;
  let names = roster;
  const scheduled: (() => void)[] = [];
  let now = 1000;
  const controller = new MeetingController({
    audioVideo: av as unknown as AudioVideoFacade,
    selfAttendeeId: 'self',
    selfName: 'Alice',
    loadRoster: async () => {
      rosterCalls++;
      return names;
    },
    now: () => now,
    schedule: (fn) => void scheduled.push(fn),
  });
  controller.start({ videoOn: false, muted: false, audioInputId: 'mic1', videoInputId: 'cam1', audioOutputId: null });
  return {
    av,
    controller,
    scheduled,
    rosterCalls: () => rosterCalls,
    setNames: (n: RosterNames) => void (names = n),
    advance: (ms: number) => void (now += ms),
  };
}

const texts = (c: MeetingController) => c.state.notices.map((n) => n.text);

describe('MeetingController presence and notifications', () => {
  it('subscribes before starting and names joiners from /api/roster', async () => {
    const { av, controller } = setup();
    expect(av.calls).toContain('start');
    expect(av.presence).toHaveLength(1);
    await flush();
    av.present('self', true);
    av.present('bob', true);
    await flush();
    expect(texts(controller)).toEqual(['Bob joined']);
    expect(participantList(controller.state.roster).map((p) => p.name)).toEqual(['Alice', 'Bob']);
    expect(av.volume.has('bob')).toBe(true);
  });

  it('waits for the roster when a name is unknown, refetching once', async () => {
    const { av, controller, rosterCalls, setNames } = setup({});
    await flush();
    setNames({ dave: 'Dave' });
    av.present('dave', true);
    expect(texts(controller)).toEqual([]);
    await flush();
    await flush();
    expect(texts(controller)).toEqual(['Dave joined']);
    expect(rosterCalls()).toBe(2);
  });

  it('says "left" and "lost connection" with the remembered name, and forgets volume subscriptions', async () => {
    const { av, controller } = setup();
    await flush();
    av.present('bob', true);
    av.present('carol', true);
    av.present('bob', false);
    av.present('carol', false, true);
    av.present('carol', false, true);
    expect(texts(controller)).toEqual(['Bob joined', 'Carol joined', 'Bob left', 'Carol lost connection']);
    expect(av.volume.size).toBe(0);
    expect(controller.state.roster.participants.bob).toBeUndefined();
  });

  it('expires notices through the scheduler', async () => {
    const { av, controller, scheduled } = setup();
    await flush();
    av.present('bob', true);
    expect(controller.state.notices).toHaveLength(1);
    scheduled.forEach((fn) => fn());
    expect(controller.state.notices).toHaveLength(0);
  });
});

describe('MeetingController audio, video and speaker state', () => {
  it('shows remote mute and highlights the active speaker from volume indicators', async () => {
    const { av, controller } = setup();
    await flush();
    av.present('bob', true);
    av.volume.get('bob')!('bob', 0.7, false, 1);
    expect(controller.state.activeSpeakerId).toBe('bob');
    av.volume.get('bob')!('bob', null, true, null);
    expect(controller.state.roster.participants.bob!.muted).toBe(true);
  });

  it('toggles local mute through the SDK', async () => {
    const { av, controller } = setup();
    av.present('self', true);
    controller.toggleMute();
    expect(av.muted).toBe(true);
    expect(controller.state.muted).toBe(true);
    expect(controller.state.roster.participants.self!.muted).toBe(true);
    controller.toggleMute();
    expect(controller.state.muted).toBe(false);
  });

  it('starts and stops the camera, and explains a camera in use', async () => {
    const { av, controller } = setup();
    await controller.toggleVideo();
    expect(av.calls).toContain('startVideoInput:cam1');
    expect(av.calls).toContain('startLocalVideoTile');
    expect(controller.state.videoOn).toBe(true);
    await controller.toggleVideo();
    expect(av.calls).toContain('stopLocalVideoTile');
    expect(av.calls).toContain('stopVideoInput');
    expect(controller.state.videoOn).toBe(false);
    av.failVideoWith = new NotReadableError(new Error('Device in use'));
    await controller.toggleVideo();
    expect(controller.state.videoOn).toBe(false);
    expect(controller.state.mediaProblem).toMatch(/camera is in use/i);
  });

  it('tracks remote tiles by attendee, ignoring content share tiles', () => {
    const { av, controller } = setup();
    const tile = (tileId: number, attendee: string, extra: Partial<VideoTileState> = {}) =>
      ({ tileId, boundAttendeeId: attendee, localTile: false, isContent: false, paused: false, ...extra }) as VideoTileState;
    av.emit((o) => o.videoTileDidUpdate?.(tile(3, 'bob')));
    av.emit((o) => o.videoTileDidUpdate?.(tile(2, 'carol')));
    av.emit((o) => o.videoTileDidUpdate?.(tile(4, 'bob#content', { isContent: true })));
    av.emit((o) => o.videoTileDidUpdate?.(tile(1, 'self', { localTile: true })));
    expect(controller.state.remoteTiles.map((t) => t.attendeeId)).toEqual(['carol', 'bob']);
    expect(controller.state.localTileId).toBe(1);
    expect(controller.state.contentTiles).toEqual([{ tileId: 4, attendeeId: 'bob#content' }]);
    av.emit((o) => o.videoTileWasRemoved?.(3));
    expect(controller.state.remoteTiles.map((t) => t.tileId)).toEqual([2]);
  });

  it('shows a reconnecting phase and connection quality from the observers', () => {
    const { av, controller } = setup();
    av.emit((o) => o.audioVideoDidStart?.());
    expect(controller.state.phase).toBe('connected');
    av.emit((o) => o.audioVideoDidStartConnecting?.(true));
    expect(controller.state.phase).toBe('reconnecting');
    av.emit((o) => o.connectionDidBecomePoor?.());
    expect(controller.state.poorConnection).toBe(true);
    av.emit((o) => o.audioVideoDidStart?.());
    av.emit((o) => o.connectionDidBecomeGood?.());
    av.signalHandlers.forEach((h) => h(0.5));
    expect(controller.state).toMatchObject({ phase: 'connected', poorConnection: false, signalStrength: 0.5 });
  });
});

describe('MeetingController screen sharing', () => {
  it('is sharing from contentShareDidStart until it stops, and stops with the call', async () => {
    const { av, controller } = setup();
    await controller.toggleContentShare();
    expect(av.calls).toContain('startContentShare');
    av.contentEvent('contentShareDidStart');
    expect(controller.state.sharingContent).toBe(true);
    // The browser's own "Stop sharing" bar: the SDK stops and tells us.
    av.contentEvent('contentShareDidStop');
    expect(controller.state.sharingContent).toBe(false);
    expect(controller.state.mediaProblem).toBeNull();

    await controller.toggleContentShare();
    av.contentEvent('contentShareDidStart');
    await controller.leave();
    expect(av.calls.indexOf('stopContentShare')).toBeGreaterThan(-1);
    expect(av.calls.indexOf('stopContentShare')).toBeLessThan(av.calls.indexOf('stop'));
  });

  it('says so when the server refuses the share (two already running)', async () => {
    const { av, controller } = setup();
    await controller.toggleContentShare();
    expect(controller.state.sharingContent).toBe(true);  // starting: the button offers Stop sharing
    av.contentEvent('contentShareDidStop');  // AUDIO_STATUS 409 to the content client, before it started
    expect(controller.state.sharingContent).toBe(false);
    expect(controller.state.mediaProblem).toMatch(/at most two people can share/i);
  });

  it('stays as it was when the screen picker is cancelled', async () => {
    const { av, controller } = setup();
    av.cancelScreenPicker = true;
    await controller.toggleContentShare();
    expect(controller.state.sharingContent).toBe(false);
    expect(controller.state.mediaProblem).toBeNull();
  });

  it('keeps shared screens apart from the cameras, newest shown, and forgets them when removed', () => {
    const { av, controller } = setup();
    const tile = (tileId: number, attendee: string) =>
      ({ tileId, boundAttendeeId: attendee, localTile: false, isContent: true, paused: false }) as VideoTileState;
    av.emit((o) => o.videoTileDidUpdate?.(tile(4, 'bob#content')));
    av.emit((o) => o.videoTileDidUpdate?.(tile(6, 'self#content')));  // the SDK's preview of our own share
    expect(controller.state.contentTiles.map((t) => t.attendeeId)).toEqual(['bob#content', 'self#content']);
    expect(controller.state.remoteTiles).toEqual([]);
    expect(controller.state.localTileId).toBeNull();
    av.emit((o) => o.videoTileWasRemoved?.(6));
    expect(controller.state.contentTiles).toEqual([{ tileId: 4, attendeeId: 'bob#content' }]);
  });
});

describe('MeetingController ending', () => {
  it('explains a meeting that ended and releases the devices', async () => {
    const { av, controller } = setup();
    av.emit((o) => o.audioVideoDidStop?.(new MeetingSessionStatus(MeetingSessionStatusCode.MeetingEnded)));
    await flush();
    expect(controller.state.phase).toBe('ended');
    expect(controller.state.endReason?.message).toMatch(/meeting has ended/i);
    expect(av.calls).toContain('stopVideoInput');
    expect(av.observers.size).toBe(0);
  });

  it('leaves cleanly on End call without an error message', async () => {
    const { av, controller } = setup();
    await controller.leave();
    expect(av.calls).toContain('stop');
    expect(controller.state.endReason).toEqual({ kind: 'left', message: null });
    av.emit((o) => o.audioVideoDidStop?.(new MeetingSessionStatus(MeetingSessionStatusCode.Left)));
    expect(controller.state.endReason?.kind).toBe('left');
    expect(av.presence).toHaveLength(0);
  });

  it('releases camera and microphone on End call only after the session has stopped', async () => {
    const { av, controller } = setup();
    av.stopEmits = false;
    const leaving = controller.leave();
    await flush();
    expect(av.calls).toContain('stop');
    expect(av.calls).not.toContain('stopVideoInput');
    expect(av.calls).not.toContain('stopAudioInput');
    expect(controller.state.phase).not.toBe('ended');
    av.emit((o) => o.audioVideoDidStop?.(new MeetingSessionStatus(MeetingSessionStatusCode.Left)));
    await leaving;
    expect(av.calls.indexOf('stopVideoInput')).toBeGreaterThan(av.calls.indexOf('stop'));
    expect(av.calls).toContain('stopAudioInput');
    expect(controller.state.endReason).toEqual({ kind: 'left', message: null });
    expect(av.observers.size).toBe(0);
  });

  it('ends the call on End call even if the SDK never reports the stop', async () => {
    const { av, controller, scheduled } = setup();
    av.stopEmits = false;
    const leaving = controller.leave();
    await flush();
    expect(controller.state.phase).not.toBe('ended');
    scheduled.splice(0).forEach((fn) => fn());  // the leave timeout (and any notice expiry)
    await leaving;
    expect(controller.state.endReason).toEqual({ kind: 'left', message: null });
    expect(av.calls).toContain('stopVideoInput');
  });
});

describe('MeetingController chat', () => {
  const msg = (sender: string, text: string, throttled = false) =>
    new DataMessage(5, 'chat', new TextEncoder().encode(JSON.stringify({ text })), sender, `ext-${sender}`, throttled);

  it('sends on the chat topic with a local echo and receives with roster names', async () => {
    const { av, controller } = setup();
    await flush();
    expect(controller.sendChat('  hello  ')).toBeNull();
    expect(av.sent).toHaveLength(1);
    expect(av.sent[0]!.topic).toBe('chat');
    expect(JSON.parse(new TextDecoder().decode(av.sent[0]!.data))).toEqual({ text: 'hello' });
    expect(controller.sendChat('   ')).toMatch(/type a message/i);
    av.dataHandlers.get('chat')!(msg('bob', 'hi Alice'));
    av.dataHandlers.get('chat')!(msg('self', 'hello'));
    expect(controller.state.chat.map((m) => `${m.senderName}: ${m.text}`)).toEqual(['Alice: hello', 'Bob: hi Alice']);
    expect(controller.state.unreadChat).toBe(1);
    controller.markChatRead();
    expect(controller.state.unreadChat).toBe(0);
  });

  it('marks an own message failed when the server throttled it', async () => {
    const { av, controller } = setup();
    controller.sendChat('spam');
    av.dataHandlers.get('chat')!(msg('self', 'spam', true));
    expect(controller.state.chat[0]!.failed).toBe(true);
  });
});
