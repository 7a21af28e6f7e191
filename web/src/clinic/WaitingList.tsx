import { useId, useState } from 'react';

import { ClinicApiError, clinicApi, type Clinician, type Visit, type WaitingEntry } from './api';
import { formatWaited, waitedSeconds } from './waitTime';

interface Props {
  visit: Visit;
  now: number;
  clinicians: Clinician[];
  selfId: string;
  onAdmit: (visit: Visit, waitId: string) => Promise<void>;
}

/** The patients waiting in one visit: how long each has waited, and Admit / Message / Transfer. */
export function WaitingList({ visit, now, clinicians, selfId, onAdmit }: Props) {
  return (
    <ul className="waiting-list" aria-label={`Waiting for ${visit.patientName ?? 'this visit'}`}>
      {visit.waiting.map((entry) => (
        <WaitingRow key={entry.waitId} visit={visit} entry={entry} now={now} clinicians={clinicians} selfId={selfId} onAdmit={onAdmit} />
      ))}
    </ul>
  );
}

type Open = 'none' | 'message' | 'transfer';

function WaitingRow({ visit, entry, now, clinicians, selfId, onAdmit }: Props & { entry: WaitingEntry }) {
  const [open, setOpen] = useState<Open>('none');
  const [text, setText] = useState('');
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();
  const others = clinicians.filter((c) => c.id !== selfId);

  const run = async (action: () => Promise<void>, done: string | null) => {
    setBusy(true);
    setProblem(null);
    setNote(null);
    try {
      await action();
      setNote(done);
      setOpen('none');
    } catch (error) {
      setProblem(error instanceof ClinicApiError && error.status === 0 ? error.message : 'That did not work. Try again.');
    } finally {
      setBusy(false);
    }
  };

  const waited = formatWaited(waitedSeconds(entry.since, now));
  return (
    <li className="waiting-entry" data-wait-id={entry.waitId}>
      <div className="waiting-who">
        <span className="waiting-name">{entry.name}</span>
        <span className="waiting-time">waiting {waited}</span>
      </div>
      <div className="waiting-actions" role="group" aria-label={`Actions for ${entry.name}`}>
        <button type="button" className="primary" disabled={busy} onClick={() => void run(() => onAdmit(visit, entry.waitId), null)}>
          Admit
        </button>
        <button
          type="button"
          className="secondary"
          aria-expanded={open === 'message'}
          onClick={() => setOpen(open === 'message' ? 'none' : 'message')}
        >
          Message
        </button>
        <button
          type="button"
          className="secondary"
          aria-expanded={open === 'transfer'}
          disabled={others.length === 0}
          onClick={() => setOpen(open === 'transfer' ? 'none' : 'transfer')}
        >
          Transfer
        </button>
      </div>
      {open === 'message' && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const value = text.trim();
            if (!value) return;
            void run(async () => {
              await clinicApi.message(visit.id, entry.waitId, value);
              setText('');
            }, `Sent to ${entry.name}.`);
          }}
        >
          <label htmlFor={`${id}-message`}>Message to {entry.name}</label>
          <div className="room-row">
            <input id={`${id}-message`} maxLength={500} value={text} onChange={(e) => setText(e.target.value)} />
            <button type="submit" className="primary" disabled={busy}>
              Send
            </button>
          </div>
        </form>
      )}
      {open === 'transfer' && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const chosen = target || others[0]?.id;
            if (!chosen) return;
            const to = others.find((c) => c.id === chosen)?.name ?? 'the other clinician';
            void run(async () => {
              await clinicApi.transfer(visit.id, chosen);
            }, `Transferred to ${to}.`);
          }}
        >
          <label htmlFor={`${id}-transfer`}>Transfer to</label>
          <div className="room-row">
            <select id={`${id}-transfer`} value={target || others[0]?.id || ''} onChange={(e) => setTarget(e.target.value)}>
              {others.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                  {c.onDuty ? '' : ' (off duty)'}
                </option>
              ))}
            </select>
            <button type="submit" className="primary" disabled={busy}>
              Confirm transfer
            </button>
          </div>
        </form>
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
    </li>
  );
}
