import { useEffect, useState } from 'react';

import type { DeviceManager } from '../meeting/DeviceManager';
import { ClinicApiError, clinicApi, type Clinician, type User, type Visit } from './api';
import { ClinicHeader } from './ClinicHeader';
import { admitAndStart, useClinician, useNow } from './clinicianSession';
import { CopyLink } from './CopyLink';
import { useClinicState } from './events';
import { MessagePage } from './MessagePage';
import { navigate, visitPath } from './router';
import { WaitingList } from './WaitingList';
import { formatWaited, waitedSeconds } from './waitTime';

interface Props {
  devices: DeviceManager;
}

export function DashboardPage({ devices }: Props) {
  const session = useClinician();
  if (session.kind === 'loading') return <MessagePage title="Dashboard" message="Loading…" busy />;
  if (session.kind === 'failed') return <MessagePage title="Dashboard" message={session.message} />;
  return <Dashboard user={session.user} devices={devices} />;
}

/** "14:30" for a visit's scheduled time, in the clinician's time zone. */
function timeOf(iso: string | null): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function visitLabel(visit: Visit): string {
  return visit.patientName ? `Visit with ${visit.patientName}` : 'Visit';
}

const kStatusText: Record<string, string> = {
  scheduled: 'Scheduled',
  waiting: 'Patient waiting',
  'in-call': 'In call',
  ended: 'Ended',
};

export function useClinicians(): Clinician[] {
  const [clinicians, setClinicians] = useState<Clinician[]>([]);
  useEffect(() => {
    clinicApi.clinicians().then(setClinicians, () => setClinicians([]));
  }, []);
  return clinicians;
}

function Dashboard({ user, devices }: { user: User; devices: DeviceManager }) {
  const { state, live } = useClinicState(true);
  const clinicians = useClinicians();
  const now = useNow(1000);
  const visits = state?.visits ?? [];
  const mine = visits.filter((v) => v.clinicianId === user.id);
  const waiting = mine.filter((v) => v.waiting.length > 0 && v.status !== 'ended');

  const admit = async (visit: Visit, waitId: string) => {
    await admitAndStart(visit.id, waitId, user, devices, null, null);
    navigate(visitPath(visit.id));
  };

  return (
    <div className="clinic-app">
      <ClinicHeader user={user} title="Dashboard" />
      <main className="clinic-main">
        {!live && (
          <p className="banner banner-warn" role="status">
            Connecting to live updates…
          </p>
        )}
        <section className="clinic-card" aria-labelledby="waiting-heading">
          <h2 id="waiting-heading">Waiting now</h2>
          {waiting.length === 0 ? (
            <p className="hint">No one is waiting.</p>
          ) : (
            waiting.map((visit) => (
              <div key={visit.id} className="waiting-visit">
                <h3>
                  <a
                    href={visitPath(visit.id)}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(visitPath(visit.id));
                    }}
                  >
                    {visitLabel(visit)}
                  </a>
                </h3>
                <WaitingList visit={visit} now={now} clinicians={clinicians} selfId={user.id} onAdmit={admit} />
              </div>
            ))
          )}
        </section>
        <QueueSection queue={state?.queue ?? []} now={now} />
        <NewVisitForm />
        <section className="clinic-card" aria-labelledby="visits-heading">
          <h2 id="visits-heading">Today's visits</h2>
          {mine.length === 0 ? (
            <p className="hint">No visits today.</p>
          ) : (
            <ul className="visit-list">
              {mine.map((visit) => (
                <li key={visit.id} className="visit-row" data-visit-id={visit.id}>
                  <div>
                    <a
                      href={visitPath(visit.id)}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(visitPath(visit.id));
                      }}
                    >
                      {visitLabel(visit)}
                    </a>
                    <span className="hint">
                      {' '}
                      {timeOf(visit.scheduledAt) ? `${timeOf(visit.scheduledAt)} · ` : ''}
                      {kStatusText[visit.status] ?? visit.status}
                    </span>
                  </div>
                  {visit.link && visit.status !== 'ended' && (
                    <CopyLink label={`Patient link: ${visitLabel(visit)}`} url={new URL(visit.link, window.location.origin).toString()} />
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      </main>
    </div>
  );
}

function QueueSection({ queue, now }: { queue: { waitId: string; name: string; since: number }[]; now: number }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const take = async (waitId: string, name: string) => {
    setProblem(null);
    setNote(null);
    try {
      await clinicApi.take(waitId);
      setNote(`${name} is now waiting for you.`);
    } catch (error) {
      setProblem(
        error instanceof ClinicApiError && error.code === 'AlreadyTaken'
          ? `Another clinician already took ${name}.`
          : 'That did not work. Try again.',
      );
    }
  };
  return (
    <section className="clinic-card" aria-labelledby="queue-heading">
      <h2 id="queue-heading">Clinic queue</h2>
      {queue.length === 0 ? (
        <p className="hint">The queue is empty.</p>
      ) : (
        <ul className="waiting-list" aria-label="Clinic queue">
          {queue.map((entry) => (
            <li key={entry.waitId} className="waiting-entry" data-wait-id={entry.waitId}>
              <div className="waiting-who">
                <span className="waiting-name">{entry.name}</span>
                <span className="waiting-time">waiting {formatWaited(waitedSeconds(entry.since, now))}</span>
              </div>
              <button type="button" className="primary" aria-label={`Take ${entry.name}`} onClick={() => void take(entry.waitId, entry.name)}>
                Take
              </button>
            </li>
          ))}
        </ul>
      )}
      {note && (
        <p className="hint" role="status">
          {note}
        </p>
      )}
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}

function NewVisitForm() {
  const [patientName, setPatientName] = useState('');
  const [when, setWhen] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const scheduled = when ? new Date(when) : null;
      const visit = await clinicApi.createVisit(
        patientName.trim() || null,
        scheduled && !Number.isNaN(scheduled.getTime()) ? scheduled.toISOString() : null,
      );
      navigate(visitPath(visit.id));
    } catch {
      setProblem('The visit could not be created. Try again.');
      setBusy(false);
    }
  };
  return (
    <section className="clinic-card" aria-labelledby="new-visit-heading">
      <h2 id="new-visit-heading">Start a visit</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="visit-patient">Patient name (optional)</label>
          <input id="visit-patient" autoComplete="off" maxLength={64} value={patientName} onChange={(e) => setPatientName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="visit-when">Scheduled time (optional)</label>
          <input id="visit-when" type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
        </div>
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          New visit
        </button>
      </form>
    </section>
  );
}
