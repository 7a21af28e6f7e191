import { describe, expect, it } from 'vitest';
import { alignedSeries, attendeeIds, displayName, reportUrl, type QualityReport } from './qualityReport';

const report: QualityReport = {
  meetingId: 'm1',
  columns: ['uplink_loss_pct'],
  attendees: [
    { attendeeId: 'a1', name: 'Alice' },
    { attendeeId: 'b2345678901', name: null },
  ],
  samples: [
    { attendeeId: 'a1', atMs: 10000, uplink_loss_pct: 0 },
    { attendeeId: 'b2345678901', atMs: 12000, uplink_loss_pct: 12.5 },
    { attendeeId: 'a1', atMs: 15000, uplink_loss_pct: null },
  ],
  events: [{ attendeeId: 'c3', atMs: 9000, kind: 'joined' }],
  summary: [],
};

describe('quality report transforms', () => {
  it('aligns each attendee on the union of sample and event times, null where it has none', () => {
    const ids = attendeeIds(report);
    expect(ids).toEqual(['a1', 'b2345678901', 'c3']);
    expect(alignedSeries(report, 'uplink_loss_pct', ids)).toEqual([
      [9, 10, 12, 15],
      [null, 0, null, null],
      [null, null, 12.5, null],
      [null, null, null, null],
    ]);
  });

  it('names attendees, or calls them by their id', () => {
    expect(displayName(report, 'a1')).toBe('Alice');
    expect(displayName(report, 'b2345678901')).toBe('Attendee b2345678');
  });

  it('asks for the summary in the viewer time zone and CSV on request', () => {
    const winter = new Date('2026-01-15T12:00:00Z');
    const tz = -winter.getTimezoneOffset();
    expect(reportUrl('m 1', 'json', winter)).toBe(`/api/meetings/m%201/quality?tz=${tz}`);
    expect(reportUrl('m1', 'csv', winter)).toBe(`/api/meetings/m1/quality?tz=${tz}&format=csv`);
  });
});
