import { useEffect, useMemo } from 'react';

import { CallScreen } from '../components/CallScreen';
import { useStore } from '../components/useStore';
import { hostActionsFor, HostControlsListener } from '../meeting/hostControls';
import type { SessionHandle } from '../meeting/session';
import { clinicApi } from './api';

interface Props {
  handle: SessionHandle;
  visitId: string;
  /** Clinicians get the host controls; patients only obey them. */
  isClinician: boolean;
  title: string;
  contentShareEnabled: boolean;
  /** The call is over: 'left' (End call), 'ended' (410), 'removed' (411), or another EndKind. */
  onEnded: (kind: string) => void;
}

/** The existing call screen, plus the clinic's host controls (clinician) or their effect (patient). */
export function ClinicCall({ handle, visitId, isClinician, title, contentShareEnabled, onEnded }: Props) {
  const { controller, session } = handle;
  const listener = useMemo(
    () => new HostControlsListener(session.audioVideo, session.configuration.credentials?.attendeeId ?? ''),
    [session],
  );
  const host = useStore(listener.store);

  useEffect(() => {
    listener.attach();
    return () => listener.detach();
  }, [listener]);

  useEffect(() => {
    const check = () => {
      const s = controller.state;
      if (s.phase === 'ended') onEnded(s.endReason?.kind ?? 'left');
    };
    check();
    return controller.store.subscribe(check);
  }, [controller, onEnded]);

  const actions = useMemo(() => hostActionsFor(visitId, clinicApi, listener), [visitId, listener]);
  const selfMuted = !isClinician && listener.selfHostMuted;
  const banner = selfMuted ? (
    <div className="banner banner-warn" role="status">
      Your clinician muted your microphone. You can unmute when they allow it.
    </div>
  ) : null;

  return (
    <CallScreen
      controller={controller}
      roomId={visitId}
      contentShareEnabled={contentShareEnabled}
      visit={{ title, banner, ...(isClinician ? { host: { actions, hostMuted: host.hostMuted } } : {}) }}
    />
  );
}
