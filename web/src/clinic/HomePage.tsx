import { useEffect, useState, type ReactNode } from 'react';

import type { FetchLike } from '../meeting/api';
import { MessagePage } from './MessagePage';

/** GET /api/client-config's `openRooms` (MEDICALL_OPEN_ROOMS): false only when the server says so. */
export async function fetchOpenRooms(fetchImpl: FetchLike = (input, init) => fetch(input, init)): Promise<boolean> {
  try {
    const response = await fetchImpl('/api/client-config');
    if (!response.ok) return true;
    const body = (await response.json()) as { openRooms?: unknown };
    return body.openRooms !== false;
  } catch {
    return true;
  }
}

/** `/`: the open-room join screen, or, when the clinic turned open rooms off, a link to the login. */
export function HomePage({ openRoom }: { openRoom: () => ReactNode }) {
  const [open, setOpen] = useState<boolean | null>(null);
  useEffect(() => {
    let cancelled = false;
    void fetchOpenRooms().then((value) => !cancelled && setOpen(value));
    return () => {
      cancelled = true;
    };
  }, []);
  if (open === null) return <MessagePage title="MediCall" message="Loading…" busy />;
  if (open) return <>{openRoom()}</>;
  return (
    <MessagePage title="MediCall" message="Patients: open the visit link your clinic sent you.">
      <p>
        Clinicians: <a href="/login">Log in</a>
      </p>
    </MessagePage>
  );
}

export function NotFoundPage() {
  return (
    <MessagePage title="Page not found" message="There is no page at this address. Check the link you were sent.">
      <p>
        <a href="/">Go to the start page</a>
      </p>
    </MessagePage>
  );
}
