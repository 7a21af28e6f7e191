// Roster and presence: who is in the call, their names, mute and video state.
// A plain reducer; the session wrapper feeds it from the SDK's observers and /api/roster.

import type { RosterNames } from './api';

export interface Participant {
  attendeeId: string;
  externalUserId: string | null;
  isSelf: boolean;
  muted: boolean;
  /** 0 (no signal) .. 1 (good), from the volume indicator. */
  signalStrength: number;
  videoOn: boolean;
  /** Joined order, for a stable list. */
  joinedSeq: number;
}

export interface RosterState {
  selfAttendeeId: string;
  /** Names stay known after someone leaves, so "Bob left" can still say Bob. */
  names: RosterNames;
  participants: Record<string, Participant>;
  seq: number;
}

export type RosterAction =
  | { type: 'presence'; attendeeId: string; present: boolean; externalUserId?: string | null; dropped?: boolean }
  | { type: 'names'; names: RosterNames }
  | { type: 'audio'; attendeeId: string; muted: boolean | null; signalStrength: number | null }
  | { type: 'video-sources'; attendeeIds: string[] }
  | { type: 'local-video'; videoOn: boolean }
  | { type: 'local-mute'; muted: boolean };

export const kContentSuffix = '#content';

/** Content-share attendees ("<id>#content") are not people. */
export function isContentAttendee(attendeeId: string): boolean {
  return attendeeId.endsWith(kContentSuffix);
}

/** We are in our own list from the start; the SDK's presence event for us arrives once connected. */
export function initialRoster(selfAttendeeId: string, selfName: string): RosterState {
  const self: Participant = {
    attendeeId: selfAttendeeId,
    externalUserId: null,
    isSelf: true,
    muted: false,
    signalStrength: 1,
    videoOn: false,
    joinedSeq: 0,
  };
  return { selfAttendeeId, names: { [selfAttendeeId]: selfName }, participants: { [selfAttendeeId]: self }, seq: 0 };
}

export function rosterReducer(state: RosterState, action: RosterAction): RosterState {
  switch (action.type) {
    case 'presence': {
      if (isContentAttendee(action.attendeeId)) return state;
      const existing = state.participants[action.attendeeId];
      if (action.present) {
        if (existing) return state;
        const participant: Participant = {
          attendeeId: action.attendeeId,
          externalUserId: action.externalUserId ?? null,
          isSelf: action.attendeeId === state.selfAttendeeId,
          muted: false,
          signalStrength: 1,
          videoOn: false,
          joinedSeq: state.seq + 1,
        };
        return {
          ...state,
          seq: state.seq + 1,
          participants: { ...state.participants, [action.attendeeId]: participant },
        };
      }
      // We stay in our own list until the call ends, even through a reconnect.
      if (!existing || existing.isSelf) return state;
      const participants = { ...state.participants };
      delete participants[action.attendeeId];
      return { ...state, participants };
    }
    case 'names': {
      // The self name typed on the join screen wins over anything the server echoes.
      const selfName = state.names[state.selfAttendeeId];
      const names = { ...state.names, ...action.names };
      if (selfName !== undefined) names[state.selfAttendeeId] = selfName;
      return { ...state, names };
    }
    case 'audio': {
      const existing = state.participants[action.attendeeId];
      if (!existing) return state;
      const muted = action.muted ?? existing.muted;
      const signalStrength = action.signalStrength ?? existing.signalStrength;
      if (muted === existing.muted && signalStrength === existing.signalStrength) return state;
      return {
        ...state,
        participants: { ...state.participants, [action.attendeeId]: { ...existing, muted, signalStrength } },
      };
    }
    case 'video-sources': {
      const sending = new Set(action.attendeeIds);
      let changed = false;
      const participants: Record<string, Participant> = {};
      for (const [id, p] of Object.entries(state.participants)) {
        const videoOn = p.isSelf ? p.videoOn : sending.has(id);
        if (videoOn !== p.videoOn) changed = true;
        participants[id] = videoOn === p.videoOn ? p : { ...p, videoOn };
      }
      return changed ? { ...state, participants } : state;
    }
    case 'local-video':
    case 'local-mute': {
      const self = state.participants[state.selfAttendeeId];
      if (!self) return state;
      const updated =
        action.type === 'local-video' ? { ...self, videoOn: action.videoOn } : { ...self, muted: action.muted };
      return { ...state, participants: { ...state.participants, [state.selfAttendeeId]: updated } };
    }
  }
}

export const kUnknownName = 'Someone';

export function displayName(state: RosterState, attendeeId: string): string {
  return state.names[attendeeId] ?? kUnknownName;
}

export function hasName(state: RosterState, attendeeId: string): boolean {
  return state.names[attendeeId] !== undefined;
}

export interface ParticipantView extends Participant {
  name: string;
}

/** Present people, self first, then in the order they joined. */
export function participantList(state: RosterState): ParticipantView[] {
  return Object.values(state.participants)
    .sort((a, b) => (a.isSelf === b.isSelf ? a.joinedSeq - b.joinedSeq : a.isSelf ? -1 : 1))
    .map((p) => ({ ...p, name: displayName(state, p.attendeeId) }));
}
