import { describe, expect, it } from 'vitest';

import { fetchRoster, joinRoom, JoinError, parseJoinInfo, type FetchLike } from './api';

const joinInfo = {
  JoinInfo: {
    Meeting: {
      MeetingId: 'm-1',
      ExternalMeetingId: 'room-1',
      MediaPlacement: { AudioHostUrl: 'ws://127.0.0.1:3001/audio', SignalingUrl: 'ws://127.0.0.1:3001/control/m-1' },
    },
    Attendee: { AttendeeId: 'a-1', ExternalUserId: 'Alice', JoinToken: 'dG9rZW4' },
  },
};

function reply(status: number, body: unknown): FetchLike {
  return async () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
}

async function joinError(fetchImpl: FetchLike): Promise<JoinError> {
  try {
    await joinRoom('Alice', 'room-1', fetchImpl);
  } catch (error) {
    if (error instanceof JoinError) return error;
    throw error;
  }
  throw new Error('join did not fail');
}

describe('joinRoom', () => {
  it('posts name and roomId as JSON and returns JoinInfo', async () => {
    let seen: { url: string; init?: RequestInit } | null = null;
    const info = await joinRoom('Alice', 'room-1', async (url, init) => {
      seen = { url, init };
      return new Response(JSON.stringify(joinInfo), { status: 200 });
    });
    expect(seen!.url).toBe('/join');
    expect(seen!.init?.method).toBe('POST');
    expect(JSON.parse(String(seen!.init?.body))).toEqual({ name: 'Alice', roomId: 'room-1' });
    expect(info.Meeting.MeetingId).toBe('m-1');
    expect(info.Attendee.JoinToken).toBe('dG9rZW4');
  });

  it('reports a full room on 429 LimitExceeded', async () => {
    const error = await joinError(reply(429, { error: 'LimitExceeded', message: 'room is full' }));
    expect(error.kind).toBe('room-full');
    expect(error.message).toMatch(/room is full/i);
  });

  it('tells throttling apart from a full room', async () => {
    expect((await joinError(reply(429, { error: 'Throttling', message: 'slow down' }))).kind).toBe('throttled');
  });

  it('maps 400, 404, 413 and 415', async () => {
    const bad = await joinError(reply(400, { error: 'BadRequest', message: 'name is required' }));
    expect(bad.kind).toBe('invalid');
    expect(bad.message).toContain('name is required');
    expect((await joinError(reply(404, { error: 'NotFound', message: 'x' }))).kind).toBe('not-found');
    expect((await joinError(reply(413, { error: 'PayloadTooLarge', message: 'x' }))).kind).toBe('invalid');
    expect((await joinError(reply(415, { error: 'UnsupportedMediaType', message: 'x' }))).kind).toBe('invalid');
  });

  it('reports an unreachable server when fetch fails or a proxy answers 502', async () => {
    const down = await joinError(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(down.kind).toBe('unreachable');
    expect(down.message).toMatch(/can't reach/i);
    expect((await joinError(reply(502, 'Bad Gateway'))).kind).toBe('unreachable');
  });

  it('rejects a 200 reply without the fields the SDK needs', async () => {
    const error = await joinError(reply(200, { JoinInfo: { Meeting: { MeetingId: 'm' } } }));
    expect(error.kind).toBe('server');
  });
});

describe('parseJoinInfo', () => {
  it('accepts the /join reply and rejects missing tokens', () => {
    expect(parseJoinInfo(joinInfo)).not.toBeNull();
    const noToken = structuredClone(joinInfo) as { JoinInfo: { Attendee: Record<string, unknown> } };
    delete noToken.JoinInfo.Attendee.JoinToken;
    expect(parseJoinInfo(noToken)).toBeNull();
    expect(parseJoinInfo(null)).toBeNull();
    expect(parseJoinInfo([])).toBeNull();
  });
});

describe('fetchRoster', () => {
  it('gets /api/roster/:roomId and keeps only string names', async () => {
    let url = '';
    const names = await fetchRoster('room 1', async (u) => {
      url = u;
      return new Response(JSON.stringify({ roster: { a: 'Alice', b: 'Bob', c: 7 } }), { status: 200 });
    });
    expect(url).toBe('/api/roster/room%201');
    expect(names).toEqual({ a: 'Alice', b: 'Bob' });
  });

  it('throws on HTTP errors', async () => {
    await expect(fetchRoster('r', reply(404, { error: 'NotFound' }))).rejects.toThrow(/404/);
  });
});
