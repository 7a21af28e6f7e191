import { useCallback, useEffect, useRef, useState } from 'react';

import { DeviceCheck, type DeviceChoice } from '../components/DeviceCheck';
import type { DeviceManager } from '../meeting/DeviceManager';
import { kMaxNameLength, nameProblem } from '../meeting/roomId';
import type { SessionHandle } from '../meeting/session';
import { clinicApi, ClinicApiError, type PatientPlace } from './api';
import { ClinicCall } from './ClinicCall';
import { openPatientEvents, type ClinicianMessage, type PatientEvent } from './events';
import { linkProblem, visitEndMessage } from './messages';
import { MessagePage } from './MessagePage';
import { rosterRoomOf, startCall } from './startCall';

type Stage =
  | { kind: 'loading' }
  | { kind: 'problem'; message: string }
  | { kind: 'ready' }
  | { kind: 'waiting' }
  | { kind: 'call'; handle: SessionHandle }
  | { kind: 'ended'; message: string };

interface Props {
  place: PatientPlace;
  devices: DeviceManager;
  contentShareEnabled: boolean;
}

/** `/v/<token>` and `/c/<slug>`: device check, name, the waiting room, then the call when admitted. */
export function PatientPage({ place, devices, contentShareEnabled }: Props) {
  const [stage, setStage] = useState<Stage>({ kind: 'loading' });
  const [clinicianName, setClinicianName] = useState<string | null>(null);
  const [clinicName, setClinicName] = useState<string | null>(null);
  const [visitId, setVisitId] = useState<string>('');
  const [messages, setMessages] = useState<ClinicianMessage[]>([]);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [choice, setChoice] = useState<DeviceChoice>({
    videoOn: true,
    muted: false,
    audioInputId: null,
    videoInputId: null,
    audioOutputId: null,
  });
  const previewRef = useRef<HTMLVideoElement | null>(null);
  const choiceRef = useRef(choice);
  choiceRef.current = choice;
  const nameRef = useRef(name);
  nameRef.current = name;
  const closeEvents = useRef<(() => void) | null>(null);

  const placeKey = place.kind === 'visit' ? `v:${place.token}` : `c:${place.slug}`;
  useEffect(() => {
    let cancelled = false;
    const check = place.kind === 'visit' ? clinicApi.patientVisit(place.token) : clinicApi.clinic(place.slug);
    check
      .then((found) => {
        if (cancelled) return;
        if ('clinicianName' in found) {
          setClinicianName(found.clinicianName);
          setVisitId(found.id);
          if (found.status === 'ended') {
            setStage({ kind: 'problem', message: 'This visit has ended.' });
            return;
          }
        } else {
          setClinicName(found.name);
        }
        setStage({ kind: 'ready' });
      })
      .catch((error: unknown) => !cancelled && setStage({ kind: 'problem', message: linkProblem(error) }));
    return () => {
      cancelled = true;
    };
  }, [placeKey]);

  useEffect(() => () => closeEvents.current?.(), []);

  const onEvent = useCallback(
    (event: PatientEvent) => {
      switch (event.type) {
        case 'status':
          if (event.clinicianName) setClinicianName(event.clinicianName);
          setMessages(event.messages);
          return;
        case 'message':
          setMessages((m) => [...m, event.message]);
          return;
        case 'transferred':
          setClinicianName(event.clinicianName);
          return;
        case 'ended':
          closeEvents.current?.();
          closeEvents.current = null;
          setStage((s) => (s.kind === 'call' ? s : { kind: 'ended', message: visitEndMessage(event.reason) }));
          return;
        case 'admitted':
          closeEvents.current?.();
          closeEvents.current = null;
          void startCall(event.join, rosterRoomOf(event.join), nameRef.current.trim(), devices, choiceRef.current, previewRef.current).then(
            (handle) => setStage({ kind: 'call', handle }),
            () => setStage({ kind: 'ended', message: 'Your call could not start. Open your visit link again.' }),
          );
          return;
      }
    },
    [devices],
  );

  const wait = async (e: React.FormEvent) => {
    e.preventDefault();
    const bad = nameProblem(name);
    if (bad) {
      setProblem(bad);
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await clinicApi.wait(place, name.trim());
      closeEvents.current = openPatientEvents(onEvent);
      setStage({ kind: 'waiting' });
    } catch (error) {
      if (error instanceof ClinicApiError && error.status === 410) setStage({ kind: 'problem', message: linkProblem(error) });
      else setProblem(error instanceof ClinicApiError && error.status === 0 ? error.message : 'You could not join the waiting room. Try again.');
    } finally {
      setBusy(false);
    }
  };

  const leave = async () => {
    closeEvents.current?.();
    closeEvents.current = null;
    await clinicApi.leave().catch(() => undefined);
    await devices.stopMicrophone().catch(() => undefined);
    await devices.stopCamera(previewRef.current).catch(() => undefined);
    setStage({ kind: 'ended', message: 'You left the waiting room. Open your visit link again to come back.' });
  };

  const onCallEnded = useCallback((kind: string) => setStage({ kind: 'ended', message: visitEndMessage(kind) }), []);

  if (stage.kind === 'loading') return <MessagePage title="MediCall" message="Opening your visit…" busy />;
  if (stage.kind === 'problem') return <MessagePage title="This link does not work" message={stage.message} />;
  if (stage.kind === 'ended') return <MessagePage title="MediCall" message={stage.message} />;
  if (stage.kind === 'call') {
    return (
      <ClinicCall
        handle={stage.handle}
        visitId={visitId}
        isClinician={false}
        title={clinicianName ? `Visit with ${clinicianName}` : 'Your visit'}
        contentShareEnabled={contentShareEnabled}
        onEnded={onCallEnded}
      />
    );
  }

  const who = clinicianName ?? 'A clinician';
  return (
    <main className="join clinic-page">
      <header className="brand">
        <h1>MediCall</h1>
        <p>{clinicianName ? `Your visit with ${clinicianName}` : clinicName ? `${clinicName}` : 'Your visit'}</p>
      </header>
      <div className="join-body">
        {stage.kind === 'ready' ? (
          <form className="join-form" onSubmit={(e) => void wait(e)} noValidate aria-labelledby="patient-title">
            <h2 id="patient-title">Before you join</h2>
            <p className="hint">Check your camera and sound, type your name, then wait to be let in.</p>
            <div className="field">
              <label htmlFor="patient-name">Your name</label>
              <input
                id="patient-name"
                name="name"
                autoComplete="name"
                maxLength={kMaxNameLength}
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
            {problem && (
              <p className="problem" role="alert">
                {problem}
              </p>
            )}
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Joining…' : 'Join the waiting room'}
            </button>
          </form>
        ) : (
          <section className="join-form waiting-room" aria-labelledby="waiting-title">
            <h2 id="waiting-title">{who} will let you in shortly</h2>
            <p className="hint" role="status">
              You are in the waiting room. Keep this page open.
            </p>
            <h3 id="clinician-messages">Messages from your clinician</h3>
            <div role="log" aria-labelledby="clinician-messages" aria-live="polite">
              <ul className="clinic-messages">
                {messages.length === 0 && <li className="hint">No messages yet.</li>}
                {messages.map((m, i) => (
                  <li key={`${m.at}-${i}`}>{m.text}</li>
                ))}
              </ul>
            </div>
            <button type="button" className="secondary" onClick={() => void leave()}>
              Leave the waiting room
            </button>
          </section>
        )}
        <DeviceCheck devices={devices} choice={choice} onChange={setChoice} previewRef={previewRef} />
      </div>
    </main>
  );
}
