// Host controls in a clinic visit. The clinician's actions go to the clinic API; the server then sends
// every session a data message on topic "medicall.host", and the named attendee's app mutes itself and
// may not unmute (the server also drops it from the mix, so a modified client gains nothing).

import type { DataMessage } from 'amazon-chime-sdk-js';

import { Store } from './store';

export const kHostTopic = 'medicall.host';

export type HostMessage =
  | { type: 'mute'; attendeeId: string; canUnmute: boolean }
  | { type: 'allow-unmute'; attendeeId: string };

/** Parses a medicall.host payload; null for anything else (never throws on bad input). */
export function decodeHostMessage(data: Uint8Array): HostMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { type, attendeeId, canUnmute } = value as Record<string, unknown>;
  if (typeof attendeeId !== 'string' || attendeeId === '') return null;
  if (type === 'mute') return { type, attendeeId, canUnmute: canUnmute === true };
  if (type === 'allow-unmute') return { type, attendeeId };
  return null;
}

export interface HostState {
  /** Attendees the host muted and who may not unmute. */
  hostMuted: Record<string, true>;
}

export function applyHostMessage(state: HostState, message: HostMessage): HostState {
  const muted = message.type === 'mute' && !message.canUnmute;
  if (muted === (state.hostMuted[message.attendeeId] === true)) return state;
  const hostMuted = { ...state.hostMuted };
  if (muted) hostMuted[message.attendeeId] = true;
  else delete hostMuted[message.attendeeId];
  return { hostMuted };
}

/** The part of the SDK's AudioVideoFacade host controls use. */
export interface HostAudio {
  realtimeMuteLocalAudio(): void;
  realtimeSetCanUnmuteLocalAudio(canUnmute: boolean): void;
  realtimeSubscribeToReceiveDataMessage(topic: string, callback: (message: DataMessage) => void): void;
  realtimeUnsubscribeFromReceiveDataMessage(topic: string): void;
}

/** Listens for medicall.host messages in one call and applies those naming us to our microphone. */
export class HostControlsListener {
  readonly store = new Store<HostState>({ hostMuted: {} });
  private attached = false;

  constructor(
    private readonly audio: HostAudio,
    private readonly selfAttendeeId: string,
  ) {}

  get selfHostMuted(): boolean {
    return this.store.get().hostMuted[this.selfAttendeeId] === true;
  }

  attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.audio.realtimeSubscribeToReceiveDataMessage(kHostTopic, this.onMessage);
  }

  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.audio.realtimeUnsubscribeFromReceiveDataMessage(kHostTopic);
  }

  /** The clinician's own view after an action succeeded (the server's message confirms it). */
  apply(message: HostMessage): void {
    this.store.update((s) => applyHostMessage(s, message));
    if (message.attendeeId !== this.selfAttendeeId) return;
    if (message.type === 'mute') {
      this.audio.realtimeMuteLocalAudio();
      this.audio.realtimeSetCanUnmuteLocalAudio(message.canUnmute);
    } else {
      this.audio.realtimeSetCanUnmuteLocalAudio(true);
    }
  }

  private readonly onMessage = (message: DataMessage): void => {
    if (message.throttled) return;
    const decoded = decodeHostMessage(message.data);
    if (decoded) this.apply(decoded);
  };
}

/** What the participant menu calls; only a clinician's call screen gets one. */
export interface HostActions {
  setMuted(attendeeId: string, muted: boolean): Promise<void>;
  remove(attendeeId: string): Promise<void>;
  endVisit(): Promise<void>;
}

export interface HostApi {
  muteAttendee(visitId: string, attendeeId: string, muted: boolean): Promise<void>;
  removeAttendee(visitId: string, attendeeId: string): Promise<void>;
  endVisit(visitId: string): Promise<void>;
}

/** Host actions for one visit, keeping the listener's state in step once the server accepted them. */
export function hostActionsFor(visitId: string, api: HostApi, listener: HostControlsListener): HostActions {
  return {
    async setMuted(attendeeId, muted) {
      await api.muteAttendee(visitId, attendeeId, muted);
      listener.apply(muted ? { type: 'mute', attendeeId, canUnmute: false } : { type: 'allow-unmute', attendeeId });
    },
    remove: (attendeeId) => api.removeAttendee(visitId, attendeeId),
    endVisit: () => api.endVisit(visitId),
  };
}
