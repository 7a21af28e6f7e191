import { describe, expect, it } from 'vitest';

import { formatWaited, waitedSeconds } from './waitTime';

describe('waited time', () => {
  it('counts whole seconds and never goes negative (clock skew)', () => {
    expect(waitedSeconds(1000, 4999)).toBe(3);
    expect(waitedSeconds(5000, 1000)).toBe(0);
  });

  it('reads as seconds, minutes, hours', () => {
    expect(formatWaited(0)).toBe('0 s');
    expect(formatWaited(59)).toBe('59 s');
    expect(formatWaited(65)).toBe('1 min 05 s');
    expect(formatWaited(3599)).toBe('59 min 59 s');
    expect(formatWaited(3720)).toBe('1 h 02 min');
  });
});
