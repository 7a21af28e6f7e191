import { describe, expect, it } from 'vitest';

import {
  canShareScreen,
  contentOwner,
  kDefaultFit,
  removeContentTile,
  sharingLabel,
  shownContent,
  toggleFit,
  upsertContentTile,
} from './contentShare';

describe('content share', () => {
  it('needs getDisplayMedia to offer sharing', () => {
    expect(canShareScreen({ getDisplayMedia: async () => new MediaStream() } as unknown as MediaDevices)).toBe(true);
    expect(canShareScreen({} as MediaDevices)).toBe(false);
    expect(canShareScreen(undefined)).toBe(false);
  });

  it('finds the person behind a content attendee', () => {
    expect(contentOwner('a1b2#content')).toBe('a1b2');
    expect(contentOwner('a1b2')).toBe('a1b2');
  });

  it('shows the newest share, and the older one once the newest ends', () => {
    let tiles = upsertContentTile([], { tileId: 3, attendeeId: 'bob#content' });
    tiles = upsertContentTile(tiles, { tileId: 5, attendeeId: 'carol#content' });
    expect(shownContent(tiles)).toEqual({ tileId: 5, attendeeId: 'carol#content' });
    const same = upsertContentTile(tiles, { tileId: 5, attendeeId: 'carol#content' });
    expect(same).toBe(tiles);  // no change, no re-render
    tiles = removeContentTile(tiles, 5);
    expect(shownContent(tiles)).toEqual({ tileId: 3, attendeeId: 'bob#content' });
    expect(removeContentTile(tiles, 42)).toBe(tiles);
    expect(shownContent(removeContentTile(tiles, 3))).toBeNull();
  });

  it('says who is sharing', () => {
    expect(sharingLabel('Alice', false)).toBe('Alice is sharing');
    expect(sharingLabel('Alice', true)).toBe('You are sharing your screen');
  });

  it('shows the whole frame by default and toggles to fill', () => {
    expect(kDefaultFit).toBe('contain');
    expect(toggleFit('contain')).toBe('cover');
    expect(toggleFit('cover')).toBe('contain');
  });
});
