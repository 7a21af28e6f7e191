// "How long has this patient waited", for the dashboard's live-ticking waiting list.

/** Whole seconds from `since` to `now` (epoch ms), never negative. */
export function waitedSeconds(since: number, now: number): number {
  return Math.max(0, Math.floor((now - since) / 1000));
}

/** "45 s", "3 min 05 s", "1 h 02 min": short, readable aloud by a screen reader. */
export function formatWaited(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${String(s % 60).padStart(2, '0')} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}
