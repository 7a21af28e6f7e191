import { describe, expect, it } from 'vitest';
import { reportMeetingId } from './ReportPage';

describe('reportMeetingId', () => {
  it('reads the meeting id of /report/<id> only', () => {
    expect(reportMeetingId('/report/abc-123')).toBe('abc-123');
    expect(reportMeetingId('/report/abc-123/')).toBe('abc-123');
    expect(reportMeetingId('/report/a%20b')).toBe('a b');
    expect(reportMeetingId('/report/')).toBeNull();
    expect(reportMeetingId('/report/a/b')).toBeNull();
    expect(reportMeetingId('/')).toBeNull();
  });
});
