// The call, as state the UI renders and actions it calls. Wraps the SDK's AudioVideoFacade: observers,
// presence, volume indicators, data messages, devices. Knows nothing of React.

import type {
  AudioVideoFacade,
  AudioVideoObserver,
  ContentShareObserver,
  DataMessage,
  DeviceChangeObserver,
  MeetingSessionStatus,
  VideoSource,
  VideoTileState,
} from 'amazon-chime-sdk-js';

import { ActiveSpeakerTracker } from './activeSpeaker';
import type { RosterNames } from './api';
import {
  appendMessage,
  decodeChat,
  kChatTopic,
  markLastOwnFailed,
  prepareOutgoing,
  type ChatMessage,
} from './chat';
import {
  addNotice,
  kNoticeLifetimeMs,
  noticeText,
  presenceNoticeKind,
  removeNotice,
  type Notice,
  type NoticeKind,
} from './notifications';
import { kShareRefused, removeContentTile, upsertContentTile, type ContentTile } from './contentShare';
import { qualityOf, type Quality } from './quality';
import {
  displayName,
  initialRoster,
  isContentAttendee,
  rosterReducer,
  type RosterAction,
  type RosterState,
} from './roster';
import { describeMediaError, endReasonFor, type EndReason } from './status';
import { Store } from './store';

export type CallPhase = 'connecting' | 'connected' | 'reconnecting' | 'ended';

/** How long End call waits for the SDK's audioVideoDidStop before releasing devices anyway. */
export const kLeaveTimeoutMs = 5000;

export interface RemoteTile {
  tileId: number;
  attendeeId: string;
  paused: boolean;
}

export interface DeviceOption {
  deviceId: string;
  label: string;
}

export interface DeviceState {
  audioInputs: DeviceOption[];
  videoInputs: DeviceOption[];
  audioOutputs: DeviceOption[];
  audioInputId: string | null;
  videoInputId: string | null;
  audioOutputId: string | null;
}

export interface CallState {
  phase: CallPhase;
  endReason: EndReason | null;
  roster: RosterState;
  remoteTiles: RemoteTile[];
  localTileId: number | null;
  /** Shared screens (ours included, as the SDK's preview tile), newest last. */
  contentTiles: ContentTile[];
  /** Our screen share is starting or running. */
  sharingContent: boolean;
  activeSpeakerId: string | null;
  muted: boolean;
  videoOn: boolean;
  signalStrength: number;
  poorConnection: boolean;
  chat: ChatMessage[];
  unreadChat: number;
  notices: Notice[];
  devices: DeviceState;
  /** A device problem to show during the call, e.g. the camera is in use. */
  mediaProblem: string | null;
}

export interface StartOptions {
  videoOn: boolean;
  muted: boolean;
  audioInputId: string | null;
  videoInputId: string | null;
  audioOutputId: string | null;
}

export interface ControllerDeps {
  audioVideo: AudioVideoFacade;
  selfAttendeeId: string;
  selfName: string;
  loadRoster: () => Promise<RosterNames>;
  now?: () => number;
  schedule?: (fn: () => void, ms: number) => void;
}

export function callQuality(state: CallState): Quality {
  return qualityOf({ signalStrength: state.signalStrength, poorConnection: state.poorConnection });
}

function toOptions(devices: MediaDeviceInfo[], fallback: string): DeviceOption[] {
  return devices
    .filter((d) => d.deviceId !== '')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
}

type PresenceHandler = (attendeeId: string, present: boolean, externalUserId?: string, dropped?: boolean) => void;
type VolumeHandler = (
  attendeeId: string,
  volume: number | null,
  muted: boolean | null,
  signalStrength: number | null,
) => void;

export class MeetingController {
  readonly store: Store<CallState>;
  private readonly av: AudioVideoFacade;
  private readonly selfAttendeeId: string;
  private readonly loadRoster: () => Promise<RosterNames>;
  private readonly now: () => number;
  private readonly schedule: (fn: () => void, ms: number) => void;
  private readonly speakers = new ActiveSpeakerTracker();
  private readonly pendingJoins = new Set<string>();
  private readonly volumeSubscriptions = new Set<string>();
  private rosterInFlight = false;
  private rosterAgain = false;
  private noticeSeq = 0;
  private chatSeq = 0;
  private started = false;
  private wantVideo = false;
  private disposed = false;
  private leaving = false;
  private onStopped: (() => void) | null = null;

  constructor(deps: ControllerDeps) {
    this.av = deps.audioVideo;
    this.selfAttendeeId = deps.selfAttendeeId;
    this.loadRoster = deps.loadRoster;
    this.now = deps.now ?? (() => Date.now());
    this.schedule = deps.schedule ?? ((fn, ms) => void setTimeout(fn, ms));
    this.store = new Store<CallState>({
      phase: 'connecting',
      endReason: null,
      roster: initialRoster(deps.selfAttendeeId, deps.selfName),
      remoteTiles: [],
      localTileId: null,
      contentTiles: [],
      sharingContent: false,
      activeSpeakerId: null,
      muted: false,
      videoOn: false,
      signalStrength: 1,
      poorConnection: false,
      chat: [],
      unreadChat: 0,
      notices: [],
      devices: {
        audioInputs: [],
        videoInputs: [],
        audioOutputs: [],
        audioInputId: null,
        videoInputId: null,
        audioOutputId: null,
      },
      mediaProblem: null,
    });
  }

  get state(): CallState {
    return this.store.get();
  }

  private set(patch: Partial<CallState>): void {
    this.store.update((s) => ({ ...s, ...patch }));
  }

  private dispatch(action: RosterAction): void {
    this.store.update((s) => {
      const roster = rosterReducer(s.roster, action);
      return roster === s.roster ? s : { ...s, roster };
    });
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /** Subscribes to the SDK and starts audio and video. Devices were chosen on the join screen. */
  start(options: StartOptions): void {
    if (this.started) return;
    this.started = true;
    this.wantVideo = options.videoOn;
    this.set({
      devices: {
        ...this.state.devices,
        audioInputId: options.audioInputId,
        videoInputId: options.videoInputId,
        audioOutputId: options.audioOutputId,
      },
    });
    this.av.addObserver(this.observer);
    this.av.addDeviceChangeObserver(this.deviceObserver);
    this.av.addContentShareObserver(this.contentObserver);
    this.av.realtimeSubscribeToAttendeeIdPresence(this.onPresence);
    this.av.realtimeSubscribeToMuteAndUnmuteLocalAudio(this.onLocalMute);
    this.av.realtimeSubscribeToLocalSignalStrengthChange(this.onSignalStrength);
    this.av.realtimeSubscribeToReceiveDataMessage(kChatTopic, this.onDataMessage);
    if (options.muted) this.av.realtimeMuteLocalAudio();
    this.refreshRoster();
    void this.refreshDevices();
    this.av.start();
  }

  /**
   * End call: leave cleanly, wait until the SDK reports the session stopped (at most kLeaveTimeoutMs),
   * then release camera and microphone and report the call as ended. Releasing the devices while the
   * session is still stopping makes the SDK swap tracks on a closing peer connection and throw
   * ("no active meeting and peer connection") outside any handler.
   */
  async leave(): Promise<void> {
    if (this.leaving || this.state.phase === 'ended') return;
    this.leaving = true;
    const stopped = new Promise<void>((resolve) => {
      this.onStopped = resolve;
      this.schedule(resolve, kLeaveTimeoutMs);
    });
    try {
      if (this.state.sharingContent) this.av.stopContentShare();  // a share does not stop with the call
      this.av.stopLocalVideoTile();
      this.av.stop();
    } catch {
      this.onStopped?.();  // already stopped
    }
    await stopped;
    this.onStopped = null;
    this.teardown();
    await this.releaseDevices();
    this.set({ phase: 'ended', endReason: { kind: 'left', message: null } });
  }

  private teardown(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.av.removeObserver(this.observer);
    this.av.removeDeviceChangeObserver(this.deviceObserver);
    this.av.removeContentShareObserver(this.contentObserver);
    this.av.realtimeUnsubscribeToAttendeeIdPresence(this.onPresence);
    this.av.realtimeUnsubscribeToMuteAndUnmuteLocalAudio(this.onLocalMute);
    this.av.realtimeUnsubscribeToLocalSignalStrengthChange(this.onSignalStrength);
    this.av.realtimeUnsubscribeFromReceiveDataMessage(kChatTopic);
    for (const id of this.volumeSubscriptions) this.av.realtimeUnsubscribeFromVolumeIndicator(id, this.onVolume);
    this.volumeSubscriptions.clear();
  }

  private async releaseDevices(): Promise<void> {
    try {
      await this.av.stopVideoInput();
      await this.av.stopAudioInput();
    } catch {
      // Nothing to release.
    }
  }

  // ---- SDK observers ----------------------------------------------------------------------------

  private readonly observer: AudioVideoObserver = {
    audioVideoDidStartConnecting: (reconnecting: boolean) => {
      if (this.state.phase === 'ended') return;
      this.set({ phase: reconnecting ? 'reconnecting' : 'connecting' });
    },
    audioVideoDidStart: () => {
      if (this.state.phase === 'ended') return;
      this.set({ phase: 'connected' });
      if (this.wantVideo && this.state.localTileId === null) {
        this.wantVideo = false;
        void this.startVideo();
      }
    },
    audioVideoDidStop: (status: MeetingSessionStatus) => {
      if (this.leaving) {
        this.onStopped?.();  // leave() finishes the call
        return;
      }
      const alreadyEnded = this.state.phase === 'ended';
      if (!alreadyEnded) this.set({ phase: 'ended', endReason: endReasonFor(status.statusCode()) });
      this.teardown();
      if (!alreadyEnded) void this.releaseDevices();
    },
    videoTileDidUpdate: (tile: VideoTileState) => this.onTile(tile),
    videoTileWasRemoved: (tileId: number) => {
      const s = this.state;
      this.set({
        remoteTiles: s.remoteTiles.filter((t) => t.tileId !== tileId),
        localTileId: s.localTileId === tileId ? null : s.localTileId,
        contentTiles: removeContentTile(s.contentTiles, tileId),
      });
    },
    remoteVideoSourcesDidChange: (sources: VideoSource[]) => {
      this.dispatch({ type: 'video-sources', attendeeIds: sources.map((v) => v.attendee.attendeeId) });
    },
    connectionDidBecomePoor: () => this.set({ poorConnection: true }),
    connectionDidSuggestStopVideo: () => this.set({ poorConnection: true }),
    connectionDidBecomeGood: () => this.set({ poorConnection: false }),
  };

  private readonly deviceObserver: DeviceChangeObserver = {
    audioInputsChanged: () => void this.refreshDevices(),
    audioOutputsChanged: () => void this.refreshDevices(),
    videoInputsChanged: () => void this.refreshDevices(),
    videoInputStreamEnded: () => {
      // The camera was unplugged or taken by the system.
      this.av.stopLocalVideoTile();
      this.dispatch({ type: 'local-video', videoOn: false });
      this.set({ videoOn: false, mediaProblem: 'Your camera stopped. Check it is connected, then press Start video.' });
    },
  };

  private onTile(tile: VideoTileState): void {
    if (tile.tileId === null) return;
    const tileId = tile.tileId;
    if (tile.isContent) {
      // Someone's shared screen, or the preview of ours (bound to "<self>#content", not local).
      if (tile.boundAttendeeId) {
        this.set({ contentTiles: upsertContentTile(this.state.contentTiles, { tileId, attendeeId: tile.boundAttendeeId }) });
      }
      return;
    }
    if (tile.localTile) {
      this.set({ localTileId: tileId });
      return;
    }
    const attendeeId = tile.boundAttendeeId;
    if (!attendeeId) return;
    const next: RemoteTile = { tileId, attendeeId, paused: tile.paused };
    const tiles = this.state.remoteTiles.filter((t) => t.tileId !== tileId);
    tiles.push(next);
    tiles.sort((a, b) => a.tileId - b.tileId);
    this.set({ remoteTiles: tiles });
  }

  private readonly onPresence: PresenceHandler = (attendeeId, present, externalUserId, dropped) => {
    if (isContentAttendee(attendeeId)) return;
    const before = this.state.roster;
    const kind = presenceNoticeKind(before, { attendeeId, present, dropped: dropped ?? false });
    this.dispatch({ type: 'presence', attendeeId, present, externalUserId: externalUserId ?? null, dropped });
    if (present) {
      if (!this.volumeSubscriptions.has(attendeeId)) {
        this.volumeSubscriptions.add(attendeeId);
        this.av.realtimeSubscribeToVolumeIndicator(attendeeId, this.onVolume);
      }
      if (kind === 'joined') {
        if (before.names[attendeeId] !== undefined) this.notify('joined', noticeText('joined', before.names[attendeeId]!));
        else this.pendingJoins.add(attendeeId);
      }
      if (before.names[attendeeId] === undefined) this.refreshRoster();
      return;
    }
    if (this.volumeSubscriptions.delete(attendeeId)) {
      this.av.realtimeUnsubscribeFromVolumeIndicator(attendeeId, this.onVolume);
    }
    this.set({ activeSpeakerId: this.speakers.remove(attendeeId, this.now()) });
    // Someone who leaves before their name arrived gets no "joined" notice after the fact.
    this.pendingJoins.delete(attendeeId);
    if (kind === 'left' || kind === 'dropped') {
      this.notify(kind, noticeText(kind, displayName(before, attendeeId)));
    }
  };

  private readonly onVolume: VolumeHandler = (attendeeId, volume, muted, signalStrength) => {
    if (muted !== null || signalStrength !== null) {
      this.dispatch({ type: 'audio', attendeeId, muted, signalStrength });
    }
    const active = this.speakers.update(attendeeId, volume, muted, this.now());
    if (active !== this.state.activeSpeakerId) this.set({ activeSpeakerId: active });
  };

  private readonly onLocalMute = (muted: boolean): void => {
    this.set({ muted });
    this.dispatch({ type: 'local-mute', muted });
  };

  private readonly onSignalStrength = (signalStrength: number): void => {
    this.set({ signalStrength });
  };

  private readonly onDataMessage = (message: DataMessage): void => {
    const own = message.senderAttendeeId === this.selfAttendeeId;
    if (message.throttled) {
      if (own) this.set({ chat: markLastOwnFailed(this.state.chat, decodeChat(message.data)) });
      return;
    }
    if (own) return; // our own message, already shown when sent
    const text = decodeChat(message.data);
    if (text === null) return;
    const chatMessage: ChatMessage = {
      id: `r${++this.chatSeq}`,
      senderAttendeeId: message.senderAttendeeId,
      senderName: displayName(this.state.roster, message.senderAttendeeId),
      text,
      timestampMs: message.timestampMs,
      self: false,
      failed: false,
    };
    this.set({ chat: appendMessage(this.state.chat, chatMessage), unreadChat: this.state.unreadChat + 1 });
    if (this.state.roster.names[message.senderAttendeeId] === undefined) this.refreshRoster();
  };

  // ---- roster names ------------------------------------------------------------------------------

  /** Fetches /api/roster; concurrent requests collapse into one more fetch after the current one. */
  refreshRoster(): void {
    if (this.rosterInFlight) {
      this.rosterAgain = true;
      return;
    }
    this.rosterInFlight = true;
    this.loadRoster()
      .then((names) => {
        if (!this.disposed) this.dispatch({ type: 'names', names });
      })
      .catch(() => {
        // Names stay unknown ("Someone"); presence still works.
      })
      .finally(() => {
        this.rosterInFlight = false;
        this.flushPendingJoins();
        if (this.rosterAgain && !this.disposed) {
          this.rosterAgain = false;
          this.refreshRoster();
        }
      });
  }

  private flushPendingJoins(): void {
    const roster = this.state.roster;
    for (const attendeeId of [...this.pendingJoins]) {
      // Wait for the follow-up fetch if one is queued and this name is still unknown.
      if (roster.names[attendeeId] === undefined && this.rosterAgain) continue;
      this.pendingJoins.delete(attendeeId);
      if (roster.participants[attendeeId]) this.notify('joined', noticeText('joined', displayName(roster, attendeeId)));
    }
    // Chat messages that arrived before the sender's name get it now.
    if (this.state.chat.some((m) => !m.self && roster.names[m.senderAttendeeId] !== undefined && m.senderName !== roster.names[m.senderAttendeeId])) {
      this.set({
        chat: this.state.chat.map((m) =>
          !m.self && roster.names[m.senderAttendeeId] !== undefined ? { ...m, senderName: roster.names[m.senderAttendeeId]! } : m,
        ),
      });
    }
  }

  // ---- notices -----------------------------------------------------------------------------------

  notify(kind: NoticeKind, text: string): void {
    if (this.disposed) return;
    const notice: Notice = { id: ++this.noticeSeq, kind, text };
    this.set({ notices: addNotice(this.state.notices, notice) });
    this.schedule(() => this.dismissNotice(notice.id), kNoticeLifetimeMs);
  }

  dismissNotice(id: number): void {
    this.set({ notices: removeNotice(this.state.notices, id) });
  }

  // ---- controls ----------------------------------------------------------------------------------

  toggleMute(): void {
    if (this.state.muted) {
      this.av.realtimeUnmuteLocalAudio();
    } else {
      this.av.realtimeMuteLocalAudio();
    }
  }

  async toggleVideo(): Promise<void> {
    if (this.state.videoOn) {
      this.av.stopLocalVideoTile();
      this.set({ videoOn: false, mediaProblem: null });
      this.dispatch({ type: 'local-video', videoOn: false });
      try {
        await this.av.stopVideoInput();
      } catch {
        // Already released.
      }
      return;
    }
    await this.startVideo();
  }

  private async startVideo(): Promise<void> {
    let deviceId = this.state.devices.videoInputId ?? this.state.devices.videoInputs[0]?.deviceId ?? null;
    if (deviceId === null) {
      const cameras = toOptions(await this.av.listVideoInputDevices(), 'Camera');
      deviceId = cameras[0]?.deviceId ?? null;
    }
    if (deviceId === null) {
      this.set({ mediaProblem: describeMediaError({ name: 'NotFoundError' }, 'camera').message });
      return;
    }
    try {
      await this.av.startVideoInput(deviceId);
    } catch (error) {
      this.set({ videoOn: false, mediaProblem: describeMediaError(error, 'camera').message });
      return;
    }
    if (this.disposed) return;
    this.av.startLocalVideoTile();
    this.set({ videoOn: true, mediaProblem: null, devices: { ...this.state.devices, videoInputId: deviceId } });
    this.dispatch({ type: 'local-video', videoOn: true });
  }

  async chooseAudioInput(deviceId: string): Promise<void> {
    try {
      await this.av.startAudioInput(deviceId);
      this.set({ devices: { ...this.state.devices, audioInputId: deviceId }, mediaProblem: null });
    } catch (error) {
      this.set({ mediaProblem: describeMediaError(error, 'microphone').message });
    }
  }

  async chooseVideoInput(deviceId: string): Promise<void> {
    this.set({ devices: { ...this.state.devices, videoInputId: deviceId } });
    if (!this.state.videoOn) return;
    try {
      await this.av.startVideoInput(deviceId);
      this.set({ mediaProblem: null });
    } catch (error) {
      this.set({ mediaProblem: describeMediaError(error, 'camera').message });
    }
  }

  async chooseAudioOutput(deviceId: string): Promise<void> {
    try {
      await this.av.chooseAudioOutput(deviceId);
      this.set({ devices: { ...this.state.devices, audioOutputId: deviceId } });
    } catch {
      this.set({ mediaProblem: 'This browser cannot switch speakers. Use your system sound settings.' });
    }
  }

  async refreshDevices(): Promise<void> {
    try {
      const [mics, cameras, speakers] = await Promise.all([
        this.av.listAudioInputDevices(),
        this.av.listVideoInputDevices(),
        this.av.listAudioOutputDevices(),
      ]);
      this.set({
        devices: {
          ...this.state.devices,
          audioInputs: toOptions(mics, 'Microphone'),
          videoInputs: toOptions(cameras, 'Camera'),
          audioOutputs: toOptions(speakers, 'Speaker'),
        },
      });
    } catch {
      // Device lists stay as they were.
    }
  }

  // ---- chat --------------------------------------------------------------------------------------

  /** Sends a chat message; returns an error message for the person, or null when sent. */
  sendChat(raw: string): string | null {
    const check = prepareOutgoing(raw);
    if (!check.ok) return check.reason;
    try {
      this.av.realtimeSendDataMessage(kChatTopic, check.payload);
    } catch {
      return 'Not connected: the message was not sent.';
    }
    const message: ChatMessage = {
      id: `s${++this.chatSeq}`,
      senderAttendeeId: this.selfAttendeeId,
      senderName: displayName(this.state.roster, this.selfAttendeeId),
      text: check.text,
      timestampMs: this.now(),
      self: true,
      failed: false,
    };
    this.set({ chat: appendMessage(this.state.chat, message) });
    return null;
  }

  markChatRead(): void {
    if (this.state.unreadChat !== 0) this.set({ unreadChat: 0 });
  }

  // ---- content share ------------------------------------------------------------------------------

  private shareStarted = false;
  private shareStopRequested = false;

  /** Share screen / Stop sharing. The browser asks which screen; cancelling it leaves things as they were. */
  async toggleContentShare(): Promise<void> {
    if (this.state.sharingContent) {
      this.shareStopRequested = true;
      this.av.stopContentShare();
      this.set({ sharingContent: false });
      return;
    }
    this.shareStarted = false;
    this.shareStopRequested = false;
    this.set({ sharingContent: true, mediaProblem: null });
    try {
      await this.av.startContentShareFromScreenCapture();
    } catch {
      this.set({ sharingContent: false });  // the picker was cancelled or capture is not allowed
    }
  }

  private readonly contentObserver: ContentShareObserver = {
    contentShareDidStart: () => {
      this.shareStarted = true;
      this.set({ sharingContent: true });
    },
    contentShareDidStop: () => {
      // Stopped before it started, and not by us: the server refused it (at most two shares at once).
      const refused = !this.shareStarted && !this.shareStopRequested;
      this.shareStarted = false;
      this.set(refused ? { sharingContent: false, mediaProblem: kShareRefused } : { sharingContent: false });
    },
  };

  // ---- media elements ----------------------------------------------------------------------------

  bindVideo(tileId: number, element: HTMLVideoElement): void {
    this.av.bindVideoElement(tileId, element);
  }

  unbindVideo(tileId: number): void {
    if (this.disposed) return;
    try {
      this.av.unbindVideoElement(tileId, false);
    } catch {
      // The tile is already gone.
    }
  }

  async bindAudio(element: HTMLAudioElement): Promise<void> {
    await this.av.bindAudioElement(element);
  }
}
