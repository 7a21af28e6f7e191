import { VideoGrid } from 'amazon-chime-sdk-component-library-react';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

import { callQuality, type MeetingController } from '../meeting/MeetingController';
import { displayName, participantList } from '../meeting/roster';
import { ChatPanel } from './ChatPanel';
import { ConnectionIndicator } from './ConnectionIndicator';
import { Controls, type PanelName } from './Controls';
import { DeviceSettings } from './DeviceSettings';
import { Notices } from './Notices';
import { ParticipantsPanel, type ParticipantHost } from './ParticipantsPanel';
import { useStore } from './useStore';
import { RemoteTile, SelfView } from './VideoTiles';

interface Props {
  controller: MeetingController;
  roomId: string;
  contentShareEnabled: boolean;
  /** A clinic visit (web/src/clinic): its title, a clinician's host controls, a banner above the call. */
  visit?: { title: string; host?: ParticipantHost; banner?: ReactNode };
}

export function CallScreen({ controller, roomId, contentShareEnabled, visit }: Props) {
  const state = useStore(controller.store);
  const [panel, setPanel] = useState<PanelName>(null);
  const audioRef = useRef<HTMLAudioElement | null>(null);

  useEffect(() => {
    if (audioRef.current) void controller.bindAudio(audioRef.current);
  }, [controller]);

  useEffect(() => {
    if (panel === 'chat') controller.markChatRead();
  }, [panel, state.unreadChat, controller]);

  // Escape closes the open side panel.
  useEffect(() => {
    if (panel === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setPanel(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [panel]);

  const endCall = useCallback(() => void controller.leave(), [controller]);

  const roster = state.roster;
  const participants = participantList(roster);
  // One tile per remote person: present people, plus anyone whose video arrived before their presence.
  const tileByAttendee = new Map(state.remoteTiles.map((t) => [t.attendeeId, t]));
  const remoteIds = participants.filter((p) => !p.isSelf).map((p) => p.attendeeId);
  for (const t of state.remoteTiles) if (!remoteIds.includes(t.attendeeId)) remoteIds.push(t.attendeeId);
  const self = roster.participants[roster.selfAttendeeId];

  return (
    <div className="call">
      <header className="call-top">
        <h1 className="call-title">
          MediCall <span className="room">{visit?.title ?? `Room ${roomId}`}</span>
        </h1>
        <ConnectionIndicator quality={callQuality(state)} />
      </header>
      {state.phase === 'reconnecting' && (
        <div className="banner banner-warn" role="alert">
          Reconnecting… Your call will continue when the connection is back.
        </div>
      )}
      {state.phase === 'connecting' && (
        <div className="banner" role="status">
          Connecting…
        </div>
      )}
      {state.mediaProblem && (
        <div className="banner banner-error" role="alert">
          {state.mediaProblem}
        </div>
      )}
      {visit?.banner}
      <div className="call-body">
        <main className="stage" aria-label="Video">
          {remoteIds.length === 0 ? (
            <div className="waiting">
              <p>Waiting for others to join…</p>
              <p className="hint">{visit ? 'The other person will appear here.' : `Share the room ID: ${roomId}`}</p>
            </div>
          ) : (
            <VideoGrid size={remoteIds.length} className="grid" layout="standard">
              {remoteIds.map((id) => {
                const tile = tileByAttendee.get(id);
                return (
                  <RemoteTile
                    key={id}
                    binder={controller}
                    attendeeId={id}
                    name={displayName(roster, id)}
                    tileId={tile?.tileId ?? null}
                    paused={tile?.paused ?? false}
                    muted={roster.participants[id]?.muted ?? false}
                    speaking={state.activeSpeakerId === id}
                  />
                );
              })}
            </VideoGrid>
          )}
          <SelfView
            binder={controller}
            tileId={state.localTileId}
            name={displayName(roster, roster.selfAttendeeId)}
            videoOn={state.videoOn}
            muted={state.muted}
            speaking={state.activeSpeakerId === roster.selfAttendeeId && !state.muted && self !== undefined}
          />
        </main>
        {panel === 'participants' && <ParticipantsPanel participants={participants} onClose={() => setPanel(null)} host={visit?.host} />}
        {panel === 'chat' && (
          <ChatPanel messages={state.chat} onSend={(t) => controller.sendChat(t)} onClose={() => setPanel(null)} />
        )}
        {panel === 'devices' && (
          <DeviceSettings
            devices={state.devices}
            onAudioInput={(id) => void controller.chooseAudioInput(id)}
            onVideoInput={(id) => void controller.chooseVideoInput(id)}
            onAudioOutput={(id) => void controller.chooseAudioOutput(id)}
            onClose={() => setPanel(null)}
          />
        )}
      </div>
      <Notices notices={state.notices} onDismiss={(id) => controller.dismissNotice(id)} />
      <Controls
        muted={state.muted}
        videoOn={state.videoOn}
        panel={panel}
        unreadChat={state.unreadChat}
        participantCount={participants.length}
        contentShare={{ enabled: contentShareEnabled, sharing: state.sharingContent }}
        onToggleMute={() => controller.toggleMute()}
        onToggleVideo={() => void controller.toggleVideo()}
        onPanel={setPanel}
        onToggleShare={() => void controller.toggleContentShare()}
        onEndCall={endCall}
      />
      <audio ref={audioRef} className="visually-hidden" aria-hidden="true" />
    </div>
  );
}
