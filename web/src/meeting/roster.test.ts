import { describe, expect, it } from 'vitest';

import { displayName, initialRoster, participantList, rosterReducer, type RosterAction, type RosterState } from './roster';

function run(actions: RosterAction[], state: RosterState = initialRoster('self', 'Alice')): RosterState {
  return actions.reduce(rosterReducer, state);
}

describe('rosterReducer', () => {
  it('adds present attendees, ignores repeats and content share, removes on leave', () => {
    const s = run([
      { type: 'presence', attendeeId: 'self', present: true },
      { type: 'presence', attendeeId: 'bob', present: true, externalUserId: 'ext-bob' },
      { type: 'presence', attendeeId: 'bob', present: true },
      { type: 'presence', attendeeId: 'bob#content', present: true },
    ]);
    expect(Object.keys(s.participants).sort()).toEqual(['bob', 'self']);
    expect(s.participants.self!.isSelf).toBe(true);
    expect(s.participants.bob!.externalUserId).toBe('ext-bob');
    const after = rosterReducer(s, { type: 'presence', attendeeId: 'bob', present: false, dropped: true });
    expect(Object.keys(after.participants)).toEqual(['self']);
    expect(rosterReducer(after, { type: 'presence', attendeeId: 'bob', present: false })).toBe(after);
  });

  it('lists self from the start and keeps self through a presence drop', () => {
    const s = initialRoster('self', 'Alice');
    expect(participantList(s).map((p) => [p.name, p.isSelf])).toEqual([['Alice', true]]);
    expect(rosterReducer(s, { type: 'presence', attendeeId: 'self', present: true })).toBe(s);
    expect(rosterReducer(s, { type: 'presence', attendeeId: 'self', present: false })).toBe(s);
  });

  it('keeps names after a leave and never lets the server rename self', () => {
    let s = run([{ type: 'presence', attendeeId: 'bob', present: true }]);
    expect(displayName(s, 'bob')).toBe('Someone');
    s = rosterReducer(s, { type: 'names', names: { bob: 'Bob', self: 'Mallory' } });
    expect(displayName(s, 'bob')).toBe('Bob');
    expect(displayName(s, 'self')).toBe('Alice');
    s = rosterReducer(s, { type: 'presence', attendeeId: 'bob', present: false });
    expect(displayName(s, 'bob')).toBe('Bob');
  });

  it('tracks mute and signal from volume indicators, keeping unchanged state identical', () => {
    let s = run([{ type: 'presence', attendeeId: 'bob', present: true }]);
    s = rosterReducer(s, { type: 'audio', attendeeId: 'bob', muted: true, signalStrength: null });
    expect(s.participants.bob!.muted).toBe(true);
    expect(s.participants.bob!.signalStrength).toBe(1);
    const same = rosterReducer(s, { type: 'audio', attendeeId: 'bob', muted: null, signalStrength: null });
    expect(same).toBe(s);
    s = rosterReducer(s, { type: 'audio', attendeeId: 'bob', muted: false, signalStrength: 0.5 });
    expect(s.participants.bob).toMatchObject({ muted: false, signalStrength: 0.5 });
    expect(rosterReducer(s, { type: 'audio', attendeeId: 'ghost', muted: true, signalStrength: 0 })).toBe(s);
  });

  it('marks remote video from video sources and local video/mute from local actions', () => {
    let s = run([
      { type: 'presence', attendeeId: 'self', present: true },
      { type: 'presence', attendeeId: 'bob', present: true },
      { type: 'presence', attendeeId: 'carol', present: true },
      { type: 'local-video', videoOn: true },
      { type: 'local-mute', muted: true },
    ]);
    s = rosterReducer(s, { type: 'video-sources', attendeeIds: ['bob'] });
    expect(s.participants.bob!.videoOn).toBe(true);
    expect(s.participants.carol!.videoOn).toBe(false);
    expect(s.participants.self).toMatchObject({ videoOn: true, muted: true });
    s = rosterReducer(s, { type: 'video-sources', attendeeIds: [] });
    expect(s.participants.bob!.videoOn).toBe(false);
    expect(s.participants.self!.videoOn).toBe(true);
  });

  it('lists self first, then others in join order, with names', () => {
    const s = run([
      { type: 'presence', attendeeId: 'carol', present: true },
      { type: 'presence', attendeeId: 'self', present: true },
      { type: 'presence', attendeeId: 'bob', present: true },
      { type: 'names', names: { bob: 'Bob', carol: 'Carol' } },
    ]);
    expect(participantList(s).map((p) => p.name)).toEqual(['Alice', 'Carol', 'Bob']);
  });
});
