import { VideoGrid } from 'amazon-chime-sdk-component-library-react';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

import {
  canShareScreen,
  contentOwner,
  kDefaultFit,
  sharingLabel,
  shownContent,
  toggleFit,
  type VideoFit,
} from '../meeting/contentShare';
import { callQuality, type MeetingController } from '../meeting/MeetingController';
import { displayName, participantList } from '../meeting/roster';
import { ChatPanel } from './ChatPanel';
import { ConnectionIndicator } from './ConnectionIndicator';
import { Controls, type PanelName } from './Controls';
import { DeviceSettings } from './DeviceSettings';
import { Notices } from './Notices';
import { ParticipantsPanel, type ParticipantHost } from './ParticipantsPanel';
import { useStore } from './useStore';
import { ContentView, FitToggle, RemoteTile, SelfView } from './VideoTiles';

interface Props {
  controller: MeetingController;
  roomId: string;
  contentShareEnabled: boolean;
  /** Whether this browser can capture a screen (tests pass it; the default asks the browser). */
  canShare?: boolean;
  /** A clinic visit (web/src/clinic): its title, a clinician's host controls, a banner above the call. */
  visit?: { title: string; host?: ParticipantHost; banner?: ReactNode };
}

export function CallScreen({ controller, roomId, contentShareEnabled, canShare = canShareScreen(), visit }: Props) {
  const state = useStore(controller.store);
  const [panel, setPanel] = useState<PanelName>(null);
  const [fit, setFit] = useState<VideoFit>(kDefaultFit);
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
  const content = shownContent(state.contentTiles);
  const contentOwnerId = content ? contentOwner(content.attendeeId) : null;

  const remoteTile = (id: string, tileFit: VideoFit) => {
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
        fit={tileFit}
      />
    );
  };
  const selfView = (
    <SelfView
      binder={controller}
      tileId={state.localTileId}
      name={displayName(roster, roster.selfAttendeeId)}
      videoOn={state.videoOn}
      muted={state.muted}
      speaking={state.activeSpeakerId === roster.selfAttendeeId && !state.muted && self !== undefined}
    />
  );

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
        {content && contentOwnerId !== null ? (
          // A shared screen: large, with the cameras beside it (below it on a phone).
          <main className="stage stage-sharing" aria-label="Video">
            <section className="share-area" aria-label="Shared screen">
              <p className="share-label" role="status">
                {sharingLabel(displayName(roster, contentOwnerId), contentOwnerId === roster.selfAttendeeId)}
              </p>
              <ContentView
                binder={controller}
                tileId={content.tileId}
                attendeeId={content.attendeeId}
                label={`Screen shared by ${displayName(roster, contentOwnerId)}`}
                fit={fit}
              />
              <FitToggle fit={fit} onToggle={() => setFit(toggleFit)} />
            </section>
            <section className="share-cameras" aria-label="Cameras">
              {remoteIds.map((id) => remoteTile(id, 'cover'))}
              {selfView}
            </section>
          </main>
        ) : (
          <main className="stage" aria-label="Video">
            {remoteIds.length === 0 ? (
              <div className="waiting">
                <p>Waiting for others to join…</p>
                <p className="hint">{visit ? 'The other person will appear here.' : `Share the room ID: ${roomId}`}</p>
              </div>
            ) : (
              <>
                <VideoGrid size={remoteIds.length} className="grid" layout="standard">
                  {remoteIds.map((id) => remoteTile(id, fit))}
                </VideoGrid>
                <FitToggle fit={fit} onToggle={() => setFit(toggleFit)} />
              </>
            )}
            {selfView}
          </main>
        )}
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
        contentShare={{ enabled: contentShareEnabled && canShare, sharing: state.sharingContent }}
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
