import { Roster, RosterCell, RosterGroup } from 'amazon-chime-sdk-component-library-react';
import { useState } from 'react';

import type { HostActions } from '../meeting/hostControls';
import type { ParticipantView } from '../meeting/roster';

/** A clinician's controls over the others in a clinic visit (never given to a patient's screen). */
export interface ParticipantHost {
  actions: HostActions;
  /** Attendees the clinician muted, who may not unmute. */
  hostMuted: Record<string, true>;
}

interface Props {
  participants: ParticipantView[];
  onClose: () => void;
  host?: ParticipantHost;
}

/** Names from /api/roster, presence live from the SDK, mute and video state per person. */
export function ParticipantsPanel({ participants, onClose, host }: Props) {
  return (
    <aside className="panel" aria-labelledby="participants-title">
      <div className="panel-head">
        <h2 id="participants-title">Participants ({participants.length})</h2>
        <button type="button" className="panel-close" aria-label="Close participants" onClick={onClose}>
          ×
        </button>
      </div>
      <Roster className="roster">
        <RosterGroup>
          <ul className="participant-list" aria-label="Participants in this call">
            {participants.map((p) => (
              <li
                key={p.attendeeId}
                data-attendee-id={p.attendeeId}
                data-muted={p.muted ? 'true' : 'false'}
                data-video={p.videoOn ? 'true' : 'false'}
              >
                <RosterCell
                  name={p.name}
                  subtitle={p.isSelf ? 'You' : undefined}
                  muted={p.muted}
                  videoEnabled={p.videoOn}
                  poorConnection={p.signalStrength < 0.5}
                />
                <span className="visually-hidden">
                  {p.muted ? 'Muted' : 'Microphone on'}, {p.videoOn ? 'camera on' : 'camera off'}
                </span>
                {host && !p.isSelf && <HostButtons host={host} participant={p} />}
              </li>
            ))}
          </ul>
        </RosterGroup>
      </Roster>
      {host && <EndVisitButton host={host} />}
    </aside>
  );
}

/** Runs one host action at a time and says so when the server refused it. */
function useHostAction(): [boolean, string | null, (action: () => Promise<void>) => void] {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    action()
      .catch(() => setProblem('That did not work. Try again.'))
      .finally(() => setBusy(false));
  };
  return [busy, problem, run];
}

function HostButtons({ host, participant }: { host: ParticipantHost; participant: ParticipantView }) {
  const [busy, problem, run] = useHostAction();
  const hostMuted = host.hostMuted[participant.attendeeId] === true;
  const id = participant.attendeeId;
  return (
    <div className="host-actions" role="group" aria-label={`Host controls for ${participant.name}`}>
      {hostMuted ? (
        <button type="button" className="secondary" disabled={busy} onClick={() => run(() => host.actions.setMuted(id, false))}>
          Allow to unmute
        </button>
      ) : (
        <button type="button" className="secondary" disabled={busy} onClick={() => run(() => host.actions.setMuted(id, true))}>
          Mute participant
        </button>
      )}
      <button type="button" className="secondary danger" disabled={busy} onClick={() => run(() => host.actions.remove(id))}>
        Remove
      </button>
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

function EndVisitButton({ host }: { host: ParticipantHost }) {
  const [busy, problem, run] = useHostAction();
  return (
    <div className="panel-body end-visit">
      <button type="button" className="primary danger" disabled={busy} onClick={() => run(() => host.actions.endVisit())}>
        End visit for all
      </button>
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
