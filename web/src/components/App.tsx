import { useEffect, useState } from 'react';

import { clinicApi } from '../clinic/api';
import { DashboardPage } from '../clinic/DashboardPage';
import { HomePage, NotFoundPage } from '../clinic/HomePage';
import { LoginPage } from '../clinic/LoginPage';
import { PatientPage } from '../clinic/PatientPage';
import { useRoute } from '../clinic/router';
import { SetPasswordPage } from '../clinic/SetPasswordPage';
import { startCall } from '../clinic/startCall';
import { VisitPage } from '../clinic/VisitPage';
import { JoinError, joinRoom } from '../meeting/api';
import type { DeviceManager } from '../meeting/DeviceManager';
import type { Features } from '../meeting/features';
import { roomFromSearch } from '../meeting/roomId';
import type { SessionHandle } from '../meeting/session';
import { ReportPage } from '../report/ReportPage';
import { CallScreen } from './CallScreen';
import { JoinScreen, type JoinRequest } from './JoinScreen';

type Screen =
  | { kind: 'join'; message: string | null; name: string }
  | { kind: 'call'; handle: SessionHandle; roomId: string; name: string };

interface Props {
  devices: DeviceManager;
  features: Features;
}

/** The app's pages by path (web/src/clinic/router.ts). */
export function App({ devices, features }: Props) {
  const route = useRoute();
  const contentShare = features.contentShare;
  switch (route.kind) {
    case 'home':
      return <HomePage openRoom={() => <OpenRoomApp devices={devices} features={features} />} />;
    case 'login':
      return <LoginPage api={clinicApi} />;
    case 'set-password':
      return <SetPasswordPage key={route.token} api={clinicApi} token={route.token} />;
    case 'dashboard':
      return <DashboardPage devices={devices} />;
    case 'visit':
      return <VisitPage key={route.visitId} visitId={route.visitId} devices={devices} contentShareEnabled={contentShare} />;
    case 'patient-visit':
      return <PatientPage key={route.token} place={{ kind: 'visit', token: route.token }} devices={devices} contentShareEnabled={contentShare} />;
    case 'clinic-queue':
      return <PatientPage key={route.slug} place={{ kind: 'clinic', slug: route.slug }} devices={devices} contentShareEnabled={contentShare} />;
    case 'report':
      return <ReportPage meetingId={route.meetingId} />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

/** `/`: the seed's open rooms (name + room ID), unless MEDICALL_OPEN_ROOMS=0. */
function OpenRoomApp({ devices, features }: Props) {
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
    const handle = await startCall(info, id, name, devices, choice, preview);
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
