import { MeetingSessionStatusCode, NotReadableError, PermissionDeniedError } from 'amazon-chime-sdk-js';
import { describe, expect, it } from 'vitest';

import { qualityLabel, qualityOf } from './quality';
import { describeMediaError, endReasonFor, levelFromTimeDomain } from './status';

describe('endReasonFor', () => {
  it('returns quietly when the person left and explains the rest', () => {
    expect(endReasonFor(MeetingSessionStatusCode.Left)).toEqual({ kind: 'left', message: null });
    expect(endReasonFor(MeetingSessionStatusCode.MeetingEnded).message).toMatch(/meeting has ended/i);
    expect(endReasonFor(MeetingSessionStatusCode.AudioCallAtCapacity).kind).toBe('full');
    expect(endReasonFor(MeetingSessionStatusCode.AudioAttendeeRemoved).kind).toBe('removed');
    expect(endReasonFor(MeetingSessionStatusCode.SignalingChannelClosedUnexpectedly).kind).toBe('failed');
  });
});

describe('describeMediaError', () => {
  it('recognises browser DOMException names', () => {
    expect(describeMediaError({ name: 'NotAllowedError' }, 'camera').kind).toBe('permission');
    expect(describeMediaError({ name: 'NotFoundError' }, 'microphone').message).toMatch(/no microphone/i);
    expect(describeMediaError({ name: 'NotReadableError' }, 'camera').message).toMatch(/camera is in use/i);
    expect(describeMediaError(new Error('?'), 'camera').kind).toBe('unknown');
    expect(describeMediaError(undefined, 'camera').kind).toBe('unknown');
  });

  it("recognises the SDK's wrapped getUserMedia errors", () => {
    expect(describeMediaError(new PermissionDeniedError(new Error('x')), 'microphone').kind).toBe('permission');
    expect(describeMediaError(new NotReadableError(new Error('x')), 'camera').kind).toBe('in-use');
  });
});

describe('levelFromTimeDomain', () => {
  it('is 0 for silence and grows with amplitude up to 1', () => {
    expect(levelFromTimeDomain(new Uint8Array(256).fill(128))).toBe(0);
    const quiet = levelFromTimeDomain(Uint8Array.from({ length: 256 }, (_, i) => (i % 2 ? 133 : 123)));
    const loud = levelFromTimeDomain(Uint8Array.from({ length: 256 }, (_, i) => (i % 2 ? 230 : 26)));
    expect(quiet).toBeGreaterThan(0);
    expect(loud).toBeGreaterThan(quiet);
    expect(levelFromTimeDomain(Uint8Array.from({ length: 256 }, (_, i) => (i % 2 ? 255 : 0)))).toBe(1);
    expect(levelFromTimeDomain(new Uint8Array(0))).toBe(0);
  });
});

describe('quality', () => {
  it('combines local signal strength with poor-connection events', () => {
    expect(qualityOf({ signalStrength: 1, poorConnection: false })).toBe('good');
    expect(qualityOf({ signalStrength: 0.5, poorConnection: false })).toBe('fair');
    expect(qualityOf({ signalStrength: 0, poorConnection: false })).toBe('poor');
    expect(qualityOf({ signalStrength: 1, poorConnection: true })).toBe('poor');
    expect(qualityLabel('fair')).toBe('Connection: fair');
  });
});
