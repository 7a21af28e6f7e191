// "Bob joined" / "Bob left" / "Bob lost connection": which presence events deserve a notice, and the
// short list of notices on screen.

import { isContentAttendee, type RosterState } from './roster';

export type NoticeKind = 'joined' | 'left' | 'dropped' | 'info' | 'error';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

export interface PresenceEvent {
  attendeeId: string;
  present: boolean;
  dropped?: boolean;
}

/**
 * The notice kind a presence event deserves, judged against the roster *before* the event:
 * nothing for ourselves, content share, or repeats of a state already known.
 */
export function presenceNoticeKind(before: RosterState, event: PresenceEvent): 'joined' | 'left' | 'dropped' | null {
  if (event.attendeeId === before.selfAttendeeId || isContentAttendee(event.attendeeId)) return null;
  const known = before.participants[event.attendeeId] !== undefined;
  if (event.present) return known ? null : 'joined';
  if (!known) return null;
  return event.dropped ? 'dropped' : 'left';
}

export function noticeText(kind: 'joined' | 'left' | 'dropped', name: string): string {
  switch (kind) {
    case 'joined':
      return `${name} joined`;
    case 'left':
      return `${name} left`;
    case 'dropped':
      return `${name} lost connection`;
  }
}

export const kMaxNotices = 4;
export const kNoticeLifetimeMs = 6000;

/** Adds a notice, keeping the newest kMaxNotices. */
export function addNotice(list: readonly Notice[], notice: Notice, max = kMaxNotices): Notice[] {
  const next = [...list, notice];
  return next.length > max ? next.slice(next.length - max) : next;
}

export function removeNotice(list: readonly Notice[], id: number): Notice[] {
  return list.filter((n) => n.id !== id);
}
