// The call-quality report as GET /api/meetings/<id>/quality answers it, and the pure transforms the
// report page draws from (unit-tested without a browser).

export interface QualitySample {
  attendeeId: string;
  atMs: number;
  [column: string]: number | string | null;
}

export interface QualityEvent {
  attendeeId: string;
  atMs: number;
  kind: 'joined' | 'left' | 'dropped' | string;
}

export interface QualityFinding {
  attendeeId: string;
  kind: string;
  fromMs: number;
  toMs: number;
  value: number;
  text: string;
}

export interface QualityReport {
  meetingId: string;
  columns: string[];
  attendees: { attendeeId: string; name: string | null }[];
  samples: QualitySample[];
  events: QualityEvent[];
  summary: QualityFinding[];
}

/** The report URL; `tz` makes the summary's times the viewer's local time. */
export function reportUrl(meetingId: string, format: 'json' | 'csv' = 'json', now: Date = new Date()): string {
  const tz = -now.getTimezoneOffset();
  const base = `/api/meetings/${encodeURIComponent(meetingId)}/quality?tz=${tz}`;
  return format === 'csv' ? `${base}&format=csv` : base;
}

export async function fetchReport(meetingId: string): Promise<QualityReport> {
  const response = await fetch(reportUrl(meetingId), { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      const body = (await response.json()) as { Message?: string; message?: string };
      message = body.Message ?? body.message ?? message;
    } catch {
      // not JSON: keep the status
    }
    throw new Error(message);
  }
  return (await response.json()) as QualityReport;
}

/** What a person calls an attendee: its name, else the start of its id. */
export function displayName(report: QualityReport, attendeeId: string): string {
  const name = report.attendees.find((a) => a.attendeeId === attendeeId)?.name;
  return name && name.length > 0 ? name : `Attendee ${attendeeId.slice(0, 8)}`;
}

/** Attendees in the order they first appear. */
export function attendeeIds(report: QualityReport): string[] {
  const ids: string[] = [];
  for (const s of report.samples) if (!ids.includes(s.attendeeId)) ids.push(s.attendeeId);
  for (const e of report.events) if (!ids.includes(e.attendeeId)) ids.push(e.attendeeId);
  return ids;
}

/**
 * uPlot's aligned data for one column: x = the union of the sample and event times in seconds (so
 * every join/leave/drop marker is inside the chart), then one series per attendee (null where it has
 * no sample at that time or no figure).
 */
export function alignedSeries(report: QualityReport, column: string, ids: string[]): (number | null)[][] {
  const times = [...new Set([...report.samples, ...report.events].map((s) => s.atMs))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const series = ids.map(() => new Array<number | null>(times.length).fill(null));
  for (const s of report.samples) {
    const row = ids.indexOf(s.attendeeId);
    const i = index.get(s.atMs);
    if (row < 0 || i === undefined) continue;
    const v = s[column];
    series[row]![i] = typeof v === 'number' ? v : null;
  }
  return [times.map((t) => t / 1000), ...series];
}

/** "10:04:05" in the viewer's zone. */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function eventLabel(report: QualityReport, e: QualityEvent): string {
  const verb = e.kind === 'joined' ? 'joined' : e.kind === 'left' ? 'left' : e.kind === 'dropped' ? 'dropped' : e.kind;
  return `${displayName(report, e.attendeeId)} ${verb} at ${clockTime(e.atMs)}`;
}
