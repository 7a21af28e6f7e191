import { useCallback, useEffect, useRef, useState } from 'react';

import { DeviceCheck, type DeviceChoice } from '../components/DeviceCheck';
import { useStore } from '../components/useStore';
import type { DeviceManager } from '../meeting/DeviceManager';
import { ClinicApiError, clinicApi, type User, type Visit } from './api';
import { ClinicCall } from './ClinicCall';
import { ClinicHeader } from './ClinicHeader';
import { activeCall, admitAndStart, useClinician, useNow } from './clinicianSession';
import { CopyLink } from './CopyLink';
import { useClinicians, visitLabel } from './DashboardPage';
import { useClinicState } from './events';
import { MessagePage } from './MessagePage';
import { visitEndMessage } from './messages';
import { WaitingList } from './WaitingList';

interface Props {
  visitId: string;
  devices: DeviceManager;
  contentShareEnabled: boolean;
}

/** `/visits/<id>`: the visit's patient link, who is waiting, the device check, and the call once admitted. */
export function VisitPage(props: Props) {
  const session = useClinician();
  if (session.kind === 'loading') return <MessagePage title="Visit" message="Loading…" busy />;
  if (session.kind === 'failed') return <MessagePage title="Visit" message={session.message} />;
  return <Visit_ {...props} user={session.user} />;
}

function Visit_({ visitId, devices, contentShareEnabled, user }: Props & { user: User }) {
  const call = useStore(activeCall);
  const [fetched, setFetched] = useState<Visit | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [callNote, setCallNote] = useState<string | null>(null);
  const { state } = useClinicState(true);
  const clinicians = useClinicians();
  const now = useNow(1000);
  const [choice, setChoice] = useState<DeviceChoice>({
    videoOn: true,
    muted: false,
    audioInputId: null,
    videoInputId: null,
    audioOutputId: null,
  });
  const previewRef = useRef<HTMLVideoElement | null>(null);

  useEffect(() => {
    let cancelled = false;
    clinicApi.visit(visitId).then(
      (v) => !cancelled && setFetched(v),
      (error: unknown) =>
        !cancelled &&
        setProblem(error instanceof ClinicApiError && error.status === 404 ? 'This visit does not exist, or it is not yours.' : 'The visit could not be loaded. Reload the page to try again.'),
    );
    return () => {
      cancelled = true;
    };
  }, [visitId]);

  const visit = state?.visits.find((v) => v.id === visitId) ?? fetched;
  const onEnded = useCallback((kind: string) => {
    activeCall.update(() => null);
    setCallNote(kind === 'left' ? 'You left the call.' : visitEndMessage(kind));
  }, []);

  if (call && call.visitId === visitId) {
    return (
      <ClinicCall
        handle={call.handle}
        visitId={visitId}
        isClinician
        title={visit ? visitLabel(visit) : 'Visit'}
        contentShareEnabled={contentShareEnabled}
        onEnded={onEnded}
      />
    );
  }
  if (problem && !visit) return <MessagePage title="Visit" message={problem} />;
  if (!visit) return <MessagePage title="Visit" message="Loading…" busy />;

  const admit = async (v: Visit, waitId: string) => {
    await admitAndStart(v.id, waitId, user, devices, choice, previewRef.current);
  };
  const end = async () => {
    try {
      await clinicApi.endVisit(visit.id);
      setCallNote('The visit has ended.');
    } catch {
      setCallNote('The visit could not be ended. Try again.');
    }
  };
  const mine = visit.clinicianId === user.id;

  return (
    <div className="clinic-app">
      <ClinicHeader user={user} title={visitLabel(visit)} />
      <main className="clinic-main visit-page">
        <section className="clinic-card" aria-labelledby="visit-heading">
          <h2 id="visit-heading">Patient link</h2>
          <p className="hint">
            {visit.status === 'ended' ? 'Ended' : `Status: ${visit.status}`} · {visit.clinicianName}
          </p>
          {callNote && (
            <p className="notice-text" role="status">
              {callNote}
            </p>
          )}
          {visit.link && visit.status !== 'ended' ? (
            <CopyLink label="Link to send the patient" url={new URL(visit.link, window.location.origin).toString()} />
          ) : (
            <p className="hint">{visit.status === 'ended' ? 'The link no longer works.' : 'Only the visit\u2019s clinician sees its link.'}</p>
          )}
          <h2 id="visit-waiting">Waiting</h2>
          {visit.waiting.length === 0 || !mine ? (
            <p className="hint">{mine ? 'No one is waiting yet.' : `This visit is now with ${visit.clinicianName}.`}</p>
          ) : (
            <WaitingList visit={visit} now={now} clinicians={clinicians} selfId={user.id} onAdmit={admit} />
          )}
          {visit.status !== 'ended' && mine && (
            <button type="button" className="secondary danger" onClick={() => void end()}>
              End visit
            </button>
          )}
        </section>
        {visit.status !== 'ended' && mine && (
          <DeviceCheck devices={devices} choice={choice} onChange={setChoice} previewRef={previewRef} />
        )}
      </main>
    </div>
  );
}
