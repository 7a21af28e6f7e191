import {
  Attendees,
  Camera,
  Chat,
  Cog,
  ControlBar,
  ControlBarButton,
  Microphone,
  Phone,
  ScreenShare,
} from 'amazon-chime-sdk-component-library-react';

export type PanelName = 'chat' | 'participants' | 'devices' | null;

interface Props {
  muted: boolean;
  videoOn: boolean;
  panel: PanelName;
  unreadChat: number;
  participantCount: number;
  contentShare: { enabled: boolean; sharing: boolean };
  onToggleMute: () => void;
  onToggleVideo: () => void;
  onPanel: (panel: PanelName) => void;
  onToggleShare: () => void;
  onEndCall: () => void;
}

/** The call's control bar (the component library's ControlBar; each button's label is its accessible name). */
export function Controls(props: Props) {
  const { muted, videoOn, panel, unreadChat, participantCount, contentShare } = props;
  const toggle = (name: Exclude<PanelName, null>) => props.onPanel(panel === name ? null : name);
  return (
    <nav className="controls" aria-label="Call controls">
      <ControlBar layout="bottom" showLabels responsive className="control-bar">
        <ControlBarButton
          label={muted ? 'Unmute' : 'Mute'}
          icon={<Microphone muted={muted} />}
          isSelected={muted}
          onClick={props.onToggleMute}
        />
        <ControlBarButton
          label={videoOn ? 'Stop video' : 'Start video'}
          icon={<Camera disabled={!videoOn} />}
          isSelected={!videoOn}
          onClick={props.onToggleVideo}
        />
        {contentShare.enabled && (
          <ControlBarButton
            label={contentShare.sharing ? 'Stop sharing' : 'Share screen'}
            icon={<ScreenShare />}
            isSelected={contentShare.sharing}
            onClick={props.onToggleShare}
          />
        )}
        <ControlBarButton
          label="Chat"
          icon={<Chat />}
          isSelected={panel === 'chat'}
          onClick={() => toggle('chat')}
          aria-describedby={unreadChat > 0 ? 'unread-chat' : undefined}
        />
        <ControlBarButton
          label="Participants"
          icon={<Attendees />}
          isSelected={panel === 'participants'}
          onClick={() => toggle('participants')}
        />
        <ControlBarButton label="Devices" icon={<Cog />} isSelected={panel === 'devices'} onClick={() => toggle('devices')} />
        <ControlBarButton label="End call" icon={<Phone />} className="end-call" onClick={props.onEndCall} />
      </ControlBar>
      {unreadChat > 0 && (
        <span id="unread-chat" className="unread" aria-live="polite">
          {unreadChat} unread {unreadChat === 1 ? 'message' : 'messages'}
        </span>
      )}
      <span className="visually-hidden">{participantCount} in call</span>
    </nav>
  );
}
