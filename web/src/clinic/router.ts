// The app's pages by path (a small router on the History API: pushState + popstate, no library).

import { useSyncExternalStore } from 'react';

export type Route =
  | { kind: 'home' }
  | { kind: 'login' }
  | { kind: 'set-password'; token: string }
  | { kind: 'dashboard' }
  | { kind: 'visit'; visitId: string }
  | { kind: 'patient-visit'; token: string }
  | { kind: 'clinic-queue'; slug: string }
  | { kind: 'report'; meetingId: string }
  | { kind: 'not-found' };

function decodeSegment(segment: string): string | null {
  try {
    const value = decodeURIComponent(segment);
    return value === '' ? null : value;
  } catch {
    return null;
  }
}

/** Maps a location.pathname to a page; unknown or malformed paths are 'not-found'. */
export function parseRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/' || path === '' || path === '/index.html') return { kind: 'home' };
  if (path === '/login') return { kind: 'login' };
  if (path === '/dashboard') return { kind: 'dashboard' };
  const match = /^\/(set-password|visits|v|c|report)\/([^/]+)$/.exec(path);
  if (!match) return { kind: 'not-found' };
  const value = decodeSegment(match[2]!);
  if (value === null) return { kind: 'not-found' };
  switch (match[1]) {
    case 'set-password':
      return { kind: 'set-password', token: value };
    case 'visits':
      return { kind: 'visit', visitId: value };
    case 'v':
      return { kind: 'patient-visit', token: value };
    case 'c':
      return { kind: 'clinic-queue', slug: value };
    default:
      return { kind: 'report', meetingId: value };
  }
}

export function visitPath(visitId: string): string {
  return `/visits/${encodeURIComponent(visitId)}`;
}

/** Goes to another page of the app without reloading it. */
export function navigate(path: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('popstate', listener);
  return () => window.removeEventListener('popstate', listener);
}

const getPath = () => window.location.pathname;

/** The current page, re-rendered on navigate() and on the browser's back and forward buttons. */
export function useRoute(): Route {
  const path = useSyncExternalStore(subscribe, getPath, getPath);
  return parseRoute(path);
}
