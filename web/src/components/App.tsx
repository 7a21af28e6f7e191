import { useEffect, useState } from 'react';

import { JoinError, joinRoom } from '../meeting/api';
import type { DeviceManager } from '../meeting/DeviceManager';
import type { Features } from '../meeting/features';
import { roomFromSearch } from '../meeting/roomId';
import { createSession, type SessionHandle } from '../meeting/session';
import { CallScreen } from './CallScreen';
import { JoinScreen, type JoinRequest } from './JoinScreen';

type Screen =
  | { kind: 'join'; message: string | null; name: string }
  | { kind: 'call'; handle: SessionHandle; roomId: string; name: string };

interface Props {
  devices: DeviceManager;
  features: Features;
}

export function App({ devices, features }: Props) {
  const [screen, setScreen] = useState<Screen>({ kind: 'join', message: null, name: '' });
  const [roomId, setRoomId] = useState(() => roomFromSearch(window.location.search));

  // Back to the join screen when the call ends, with the reason if it was not our choice.
  useEffect(() => {
    if (screen.kind !== 'call') return;
    const { controller } = screen.handle;
    const check = () => {
      const s = controller.state;
      if (s.phase === 'ended') setScreen({ kind: 'join', message: s.endReason?.message ?? null, name: screen.name });
    };
    check();
    return controller.store.subscribe(check);
  }, [screen]);

  const join = async ({ name, roomId: id, choice, preview }: JoinRequest): Promise<string | null> => {
    let info;
    try {
      info = await joinRoom(name, id);
    } catch (error) {
      return error instanceof JoinError ? error.message : 'Something went wrong. Try again.';
    }
    const handle = createSession(info, id, name, devices);
    devices.stopMeter();
    if (preview) devices.detachPreview(preview);
    if (!choice.videoOn) await devices.stopCamera(null).catch(() => undefined);
    if (choice.audioOutputId) await handle.controller.chooseAudioOutput(choice.audioOutputId);
    handle.controller.start(choice);
    setRoomId(id);
    window.history.replaceState(null, '', `/?room=${encodeURIComponent(id)}`);
    setScreen({ kind: 'call', handle, roomId: id, name });
    return null;
  };

  if (screen.kind === 'call') {
    return <CallScreen controller={screen.handle.controller} roomId={screen.roomId} contentShareEnabled={features.contentShare} />;
  }
  return (
    <JoinScreen
      key={screen.message ?? 'join'}
      initialRoomId={roomId}
      initialName={screen.name}
      message={screen.message}
      devices={devices}
      origin={window.location.origin}
      onJoin={join}
    />
  );
}
