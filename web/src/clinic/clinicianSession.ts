// The signed-in clinician for the dashboard and visit pages, and the one call they are in.

import { useEffect, useState } from 'react';

import type { JoinInfo } from '../meeting/api';
import type { DeviceManager } from '../meeting/DeviceManager';
import type { SessionHandle } from '../meeting/session';
import { Store } from '../meeting/store';
import type { DeviceChoice } from '../components/DeviceCheck';
import { clinicApi, type User } from './api';
import { navigate } from './router';
import { defaultChoice, rosterRoomOf, startCall } from './startCall';

export type SessionState = { kind: 'loading' } | { kind: 'ready'; user: User } | { kind: 'failed'; message: string };

/** Loads GET /api/auth/session; without a clinician session, goes to the login page. */
export function useClinician(): SessionState {
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  useEffect(() => {
    let cancelled = false;
    clinicApi
      .session()
      .then((user) => {
        if (cancelled) return;
        if (!user || user.role === 'patient') navigate('/login', true);
        else setState({ kind: 'ready', user });
      })
      .catch(() => !cancelled && setState({ kind: 'failed', message: "Can't reach the MediCall server. Reload the page to try again." }));
    return () => {
      cancelled = true;
    };
  }, []);
  return state;
}

export interface ActiveCall {
  visitId: string;
  handle: SessionHandle;
}

/** The clinician's current call; it outlives page changes (dashboard -> visit page). */
export const activeCall = new Store<ActiveCall | null>(null);

/** Admit: the server puts the patient in the meeting and gives us our JoinInfo; then the call starts. */
export async function admitAndStart(
  visitId: string,
  waitId: string,
  user: User,
  devices: DeviceManager,
  choice: DeviceChoice | null,
  preview: HTMLVideoElement | null,
): Promise<void> {
  const join: JoinInfo = await clinicApi.admit(visitId, waitId);
  const chosen = choice ?? (await defaultChoice(devices));
  const handle = await startCall(join, rosterRoomOf(join), user.name, devices, chosen, preview);
  activeCall.update(() => ({ visitId, handle }));
}

/** Re-renders every `ms` with the current time (the waiting list's live "waited" column). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return now;
}
