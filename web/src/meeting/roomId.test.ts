import { describe, expect, it } from 'vitest';

import { nameProblem, newRoomId, roomFromSearch, roomIdProblem, shareLink } from './roomId';

describe('newRoomId', () => {
  it('uses crypto randomness: 4 groups of 6 base32 symbols, different every time', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newRoomId()));
    expect(ids.size).toBe(200);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{6}(-[0-9a-hjkmnp-tv-z]{6}){3}$/);
      expect(roomIdProblem(id)).toBeNull();
    }
  });

  it('maps every random byte through the 32-symbol alphabet', () => {
    const zeros = newRoomId((b) => b.fill(0));
    expect(zeros).toBe('000000-000000-000000-000000');
    const top = newRoomId((b) => b.fill(255));
    expect(top).toBe('zzzzzz-zzzzzz-zzzzzz-zzzzzz');
    const counting = newRoomId((b) => b.map((_, i) => i));
    expect(counting.replaceAll('-', '')).toBe('0123456789abcdefghjkmnpq');
  });
});

describe('room id and name checks', () => {
  it('accepts typical ids and rejects empty, long or odd ones', () => {
    expect(roomIdProblem('consult-42')).toBeNull();
    expect(roomIdProblem('  ')).toMatch(/enter a room id/i);
    expect(roomIdProblem('a'.repeat(65))).toMatch(/at most 64/);
    expect(roomIdProblem('room/../x')).toMatch(/only contain/);
    expect(nameProblem('')).toMatch(/enter your name/i);
    expect(nameProblem('Dr. Who')).toBeNull();
  });
});

describe('?room= and share links', () => {
  it('pre-fills from the query string and round-trips through the share link', () => {
    expect(roomFromSearch('?room=abc-123')).toBe('abc-123');
    expect(roomFromSearch('?other=1')).toBe('');
    expect(roomFromSearch('?room=%3Cscript%3E')).toBe('');
    const link = shareLink('https://medicall.example', 'k7qmxe-2hw9ra');
    expect(link).toBe('https://medicall.example/?room=k7qmxe-2hw9ra');
    expect(roomFromSearch(new URL(link).search)).toBe('k7qmxe-2hw9ra');
  });
});
