// HTTP calls to the MediCall server: POST /join and GET /api/roster/:roomId.

export interface MediaPlacement {
  AudioHostUrl: string;
  SignalingUrl: string;
  [key: string]: unknown;
}

export interface JoinMeeting {
  MeetingId: string;
  ExternalMeetingId?: string;
  MediaPlacement: MediaPlacement;
  [key: string]: unknown;
}

export interface JoinAttendee {
  AttendeeId: string;
  ExternalUserId: string;
  JoinToken: string;
  [key: string]: unknown;
}

export interface JoinInfo {
  Meeting: JoinMeeting;
  Attendee: JoinAttendee;
}

/** attendeeId -> display name, as stored by the server at /join. */
export type RosterNames = Record<string, string>;

export type JoinErrorKind =
  | 'room-full'
  | 'throttled'
  | 'invalid'
  | 'not-found'
  | 'unreachable'
  | 'server';

/** A failed join, with a message a person can act on. */
export class JoinError extends Error {
  constructor(
    readonly kind: JoinErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'JoinError';
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

const kUnreachable =
  "Can't reach the MediCall server. Check your internet connection and try again.";

interface ErrorBody {
  error?: unknown;
  message?: unknown;
}

function errorFor(status: number, body: ErrorBody | null): JoinError {
  const code = typeof body?.error === 'string' ? body.error : '';
  const serverMessage = typeof body?.message === 'string' ? body.message : '';
  switch (status) {
    case 429:
      if (/throttl/i.test(code)) {
        return new JoinError('throttled', 'Too many attempts. Wait a few seconds and try again.', status);
      }
      return new JoinError(
        'room-full',
        'This room is full. Ask the person who invited you for a new link, or try again later.',
        status,
      );
    case 404:
      return new JoinError('not-found', "This room doesn't exist or the meeting has ended.", status);
    case 400:
    case 413:
    case 415:
      return new JoinError(
        'invalid',
        serverMessage ? `Check your name and room ID: ${serverMessage}` : 'Check your name and room ID.',
        status,
      );
    default:
      if (status === 502 || status === 503 || status === 504) {
        return new JoinError('unreachable', kUnreachable, status);
      }
      return new JoinError('server', 'The server could not start your call. Try again in a moment.', status);
  }
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape the Chime SDK needs from a /join reply. */
export function parseJoinInfo(body: unknown): JoinInfo | null {
  if (!isObject(body) || !isObject(body.JoinInfo)) return null;
  const meeting = body.JoinInfo.Meeting;
  const attendee = body.JoinInfo.Attendee;
  if (!isObject(meeting) || !isObject(attendee)) return null;
  const placement = meeting.MediaPlacement;
  if (typeof meeting.MeetingId !== 'string' || !isObject(placement)) return null;
  if (typeof placement.AudioHostUrl !== 'string' || typeof placement.SignalingUrl !== 'string') return null;
  if (typeof attendee.AttendeeId !== 'string' || typeof attendee.JoinToken !== 'string') return null;
  if (typeof attendee.ExternalUserId !== 'string') return null;
  return body.JoinInfo as unknown as JoinInfo;
}

/** POST /join {name, roomId}. Throws JoinError. */
export async function joinRoom(name: string, roomId: string, fetchImpl: FetchLike = fetch): Promise<JoinInfo> {
  let response: Response;
  try {
    response = await fetchImpl('/join', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, roomId }),
    });
  } catch {
    throw new JoinError('unreachable', kUnreachable);
  }
  const body = await readJson(response);
  if (!response.ok) {
    throw errorFor(response.status, isObject(body) ? body : null);
  }
  const info = parseJoinInfo(body);
  if (!info) {
    throw new JoinError('server', 'The server sent an unexpected reply. Try again in a moment.', response.status);
  }
  return info;
}

/** GET /api/roster/:roomId -> attendeeId -> name. Throws on network or HTTP failure. */
export async function fetchRoster(roomId: string, fetchImpl: FetchLike = fetch): Promise<RosterNames> {
  const response = await fetchImpl(`/api/roster/${encodeURIComponent(roomId)}`, {
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`roster: HTTP ${response.status}`);
  const body = await readJson(response);
  const roster = isObject(body) ? body.roster : null;
  const names: RosterNames = {};
  if (isObject(roster)) {
    for (const [attendeeId, name] of Object.entries(roster)) {
      if (typeof name === 'string') names[attendeeId] = name;
    }
  }
  return names;
}
