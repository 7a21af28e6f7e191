import { Roster, RosterCell, RosterGroup } from 'amazon-chime-sdk-component-library-react';

import type { ParticipantView } from '../meeting/roster';

interface Props {
  participants: ParticipantView[];
  onClose: () => void;
}

/** Names from /api/roster, presence live from the SDK, mute and video state per person. */
export function ParticipantsPanel({ participants, onClose }: Props) {
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
              </li>
            ))}
          </ul>
        </RosterGroup>
      </Roster>
    </aside>
  );
}
