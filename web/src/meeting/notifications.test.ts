import { describe, expect, it } from 'vitest';

import { addNotice, noticeText, presenceNoticeKind, removeNotice, type Notice } from './notifications';
import { initialRoster, rosterReducer } from './roster';

describe('presenceNoticeKind', () => {
  const empty = initialRoster('self', 'Alice');
  const withBob = rosterReducer(empty, { type: 'presence', attendeeId: 'bob', present: true });

  it('announces joins once, leaves and drops only for known attendees', () => {
    expect(presenceNoticeKind(empty, { attendeeId: 'bob', present: true })).toBe('joined');
    expect(presenceNoticeKind(withBob, { attendeeId: 'bob', present: true })).toBeNull();
    expect(presenceNoticeKind(withBob, { attendeeId: 'bob', present: false })).toBe('left');
    expect(presenceNoticeKind(withBob, { attendeeId: 'bob', present: false, dropped: true })).toBe('dropped');
    expect(presenceNoticeKind(empty, { attendeeId: 'bob', present: false })).toBeNull();
  });

  it('never announces ourselves or content share', () => {
    expect(presenceNoticeKind(empty, { attendeeId: 'self', present: true })).toBeNull();
    expect(presenceNoticeKind(empty, { attendeeId: 'bob#content', present: true })).toBeNull();
  });
});

describe('notice list', () => {
  it('words the notices as the original app did', () => {
    expect(noticeText('joined', 'Bob')).toBe('Bob joined');
    expect(noticeText('left', 'Bob')).toBe('Bob left');
    expect(noticeText('dropped', 'Bob')).toBe('Bob lost connection');
  });

  it('keeps the newest notices and removes by id', () => {
    let list: Notice[] = [];
    for (let id = 1; id <= 6; id++) list = addNotice(list, { id, kind: 'info', text: `n${id}` }, 4);
    expect(list.map((n) => n.id)).toEqual([3, 4, 5, 6]);
    expect(removeNotice(list, 4).map((n) => n.id)).toEqual([3, 5, 6]);
  });
});
