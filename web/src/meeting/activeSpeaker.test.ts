import { describe, expect, it } from 'vitest';

import { ActiveSpeakerTracker } from './activeSpeaker';

describe('ActiveSpeakerTracker', () => {
  it('picks the loudest attendee above the threshold', () => {
    const t = new ActiveSpeakerTracker(0.2, 1500);
    expect(t.update('a', 0.1, false, 0)).toBeNull();
    expect(t.update('a', 0.5, false, 10)).toBe('a');
    expect(t.update('b', 0.8, false, 20)).toBe('b');
    expect(t.update('b', 0.3, false, 30)).toBe('a');
  });

  it('holds the highlight through a short pause, then drops it', () => {
    const t = new ActiveSpeakerTracker(0.2, 1500);
    t.update('a', 0.6, false, 0);
    expect(t.update('a', 0, false, 1000)).toBe('a');
    expect(t.evaluate(1400)).toBe('a');
    expect(t.evaluate(1600)).toBeNull();
  });

  it('treats muted as silent and forgets attendees who leave', () => {
    const t = new ActiveSpeakerTracker(0.2, 1500);
    t.update('a', 0.9, false, 0);
    t.update('b', 0.5, false, 0);
    expect(t.update('a', null, true, 10)).toBe('b');
    expect(t.remove('b', 20)).toBeNull();
    expect(t.activeSpeaker).toBeNull();
  });
});
