// Screen sharing (the SDK's content share) as state the call screen renders: which shared screens
// are showing, whose they are, what the stage looks like and how videos fit their boxes. Plain
// functions; MeetingController feeds them from the SDK's tile and content-share observers.

import { kContentSuffix } from './roster';

/** A shared screen's video tile: the SDK binds it to "<owner attendee id>#content". */
export interface ContentTile {
  tileId: number;
  attendeeId: string;
}

/** Whether this browser can capture a screen at all (getDisplayMedia; most phones cannot). */
export function canShareScreen(mediaDevices: Partial<MediaDevices> | undefined = globalThis.navigator?.mediaDevices): boolean {
  return typeof mediaDevices?.getDisplayMedia === 'function';
}

/** The person sharing: "<id>#content" -> "<id>". */
export function contentOwner(contentAttendeeId: string): string {
  return contentAttendeeId.endsWith(kContentSuffix)
    ? contentAttendeeId.slice(0, contentAttendeeId.length - kContentSuffix.length)
    : contentAttendeeId;
}

/** Adds or refreshes a content tile; the newest share is last. */
export function upsertContentTile(tiles: ContentTile[], tile: ContentTile): ContentTile[] {
  const existing = tiles.find((t) => t.tileId === tile.tileId);
  if (existing && existing.attendeeId === tile.attendeeId) return tiles;
  return [...tiles.filter((t) => t.tileId !== tile.tileId), tile];
}

export function removeContentTile(tiles: ContentTile[], tileId: number): ContentTile[] {
  return tiles.some((t) => t.tileId === tileId) ? tiles.filter((t) => t.tileId !== tileId) : tiles;
}

/** The share shown large: the newest (the server allows two at once; the older one shows when it ends). */
export function shownContent(tiles: ContentTile[]): ContentTile | null {
  return tiles.length === 0 ? null : tiles[tiles.length - 1]!;
}

/** The line above the shared screen. */
export function sharingLabel(ownerName: string, isSelf: boolean): string {
  return isSelf ? 'You are sharing your screen' : `${ownerName} is sharing`;
}

/**
 * How a video fills its box. "contain" shows the whole frame (letterboxed): nothing a clinician must see
 * is cut off, e.g. a landscape camera on a portrait phone. "cover" fills the box and crops the edges.
 */
export type VideoFit = 'contain' | 'cover';

export const kDefaultFit: VideoFit = 'contain';

export function toggleFit(fit: VideoFit): VideoFit {
  return fit === 'contain' ? 'cover' : 'contain';
}

/** Why a share stopped before it started: the SDK's content client was refused (at most two at once). */
export const kShareRefused = 'Your screen could not be shared. At most two people can share at once: try again when a share ends.';
