import { useEffect, useMemo, useState } from 'react';

import { QualityChart, type ChartMarker } from './QualityChart';
import {
  alignedSeries,
  attendeeIds,
  clockTime,
  displayName,
  eventLabel,
  fetchReport,
  reportUrl,
  type QualityReport,
} from './qualityReport';
import './report.css';

const COLOURS = ['#1565c0', '#ef6c00', '#6a1b9a', '#00838f', '#ad1457', '#558b2f'];

const CHARTS = [
  { id: 'send-bitrate', column: 'send_kbps', title: 'Sent bitrate (audio + video)', unit: 'kbit/s' },
  { id: 'upload-loss', column: 'uplink_loss_pct', title: 'Upload packet loss', unit: '%' },
  // The server's view: what each attendee's receiver reports said it lost of what the server sent it.
  { id: 'download-loss', column: 'server_down_loss_pct', title: 'Download packet loss (receiver reports)', unit: '%' },
  { id: 'rtt', column: 'rtt_ms', title: 'Round-trip time', unit: 'ms' },
  { id: 'receive-bitrate', column: 'receive_kbps', title: 'Received bitrate', unit: 'kbit/s' },
  { id: 'send-fps', column: 'send_fps', title: 'Camera frame rate sent', unit: 'fps' },
];

/** /report/<meetingId>: the post-visit call-quality report. */
export function ReportPage({ meetingId }: { meetingId: string }) {
  const [report, setReport] = useState<QualityReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    document.title = 'Call quality report - MediCall';
    fetchReport(meetingId).then(setReport, (e: Error) => setError(e.message));
  }, [meetingId]);

  const view = useMemo(() => {
    if (!report) return null;
    const ids = attendeeIds(report);
    const names = ids.map((id) => displayName(report, id));
    const markers: ChartMarker[] = report.events.map((e) => ({ atMs: e.atMs, kind: e.kind, label: eventLabel(report, e) }));
    const charts = CHARTS.map((c) => ({ ...c, data: alignedSeries(report, c.column, ids) }));
    const times = report.samples.map((s) => s.atMs);
    return { ids, names, markers, charts, from: Math.min(...times), to: Math.max(...times) };
  }, [report]);

  if (error) {
    return (
      <main className="report">
        <h1>Call quality report</h1>
        <p role="alert">The report could not be loaded: {error}</p>
      </main>
    );
  }
  if (!report || !view) {
    return (
      <main className="report">
        <h1>Call quality report</h1>
        <p aria-live="polite">Loading…</p>
      </main>
    );
  }
  return (
    <main className="report">
      <h1>Call quality report</h1>
      <p className="report-meta">
        Meeting <code>{report.meetingId}</code>
        {report.samples.length > 0 && (
          <>
            {' '}
            from {clockTime(view.from)} to {clockTime(view.to)}
          </>
        )}
        {' · '}
        <a href={reportUrl(meetingId, 'csv')} download>
          Download CSV
        </a>
        {' · '}
        <a href={reportUrl(meetingId)}>JSON</a>
      </p>
      <section aria-labelledby="summary-heading" className="report-summary">
        <h2 id="summary-heading">Summary</h2>
        {report.summary.length === 0 ? (
          <p data-testid="summary-empty">No quality problems were measured.</p>
        ) : (
          <ul data-testid="summary">
            {report.summary.map((f, i) => (
              <li key={i} className={`finding finding-${f.kind}`}>
                {f.text}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="people-heading">
        <h2 id="people-heading">Who was there</h2>
        <ul className="report-legend">
          {view.ids.map((id, i) => (
            <li key={id}>
              <span className="swatch" style={{ background: COLOURS[i % COLOURS.length] }} aria-hidden="true" />
              {view.names[i]}
            </li>
          ))}
        </ul>
        <ul className="report-events" data-testid="events">
          {report.events.map((e, i) => (
            <li key={i} className={`event event-${e.kind}`}>
              {eventLabel(report, e)}
            </li>
          ))}
        </ul>
        <p className="report-note">Vertical lines on the charts: dashed green joined, dashed grey left, red dropped.</p>
      </section>
      <section aria-labelledby="charts-heading">
        <h2 id="charts-heading">Over time</h2>
        {report.samples.length === 0 ? (
          <p>No samples were recorded for this meeting.</p>
        ) : (
          view.charts.map((c) => (
            <QualityChart
              key={c.id}
              id={c.id}
              title={c.title}
              unit={c.unit}
              data={c.data}
              names={view.names}
              colours={COLOURS}
              markers={view.markers}
            />
          ))
        )}
      </section>
    </main>
  );
}

/** The meeting id of a /report/<meetingId> path, else null. */
export function reportMeetingId(pathname: string): string | null {
  const m = /^\/report\/([^/]+)\/?$/.exec(pathname);
  return m ? decodeURIComponent(m[1]!) : null;
}
