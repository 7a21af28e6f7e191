// The clinic API (session cookie + CSRF token): auth, visits, the waiting room, the queue, host actions.
// See clinic-api.md. Every call throws ClinicApiError with the server's error type and HTTP status.

import { parseJoinInfo, type FetchLike, type JoinInfo } from '../meeting/api';

export type Role = 'admin' | 'clinician' | 'patient';

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  clinic: string;
  visitId?: string;
}

export interface WaitingEntry {
  waitId: string;
  name: string;
  /** Epoch ms when they started waiting. */
  since: number;
}

export type VisitStatus = 'scheduled' | 'waiting' | 'in-call' | 'ended';

export interface Visit {
  id: string;
  patientName: string | null;
  scheduledAt: string | null;
  status: VisitStatus;
  clinicianId: string;
  clinicianName: string;
  link: string | null;
  linkExpiresAt: string | null;
  waiting: WaitingEntry[];
  meetingId: string | null;
}

export interface ClinicState {
  visits: Visit[];
  queue: WaitingEntry[];
}

export interface Clinician {
  id: string;
  name: string;
  onDuty: boolean;
}

export class ClinicApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ClinicApiError';
  }
}

const kUnreachable = "Can't reach the MediCall server. Check your internet connection and try again.";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JoinInfo in an admit reply or an `admitted` event: `{Meeting, Attendee}` or `{JoinInfo: {...}}`. */
export function joinInfoFrom(join: unknown): JoinInfo | null {
  if (!isObject(join)) return null;
  return parseJoinInfo(isObject(join.JoinInfo) ? join : { JoinInfo: join });
}

/** One client per page load: it keeps the CSRF token the server gave this session. */
export class ClinicApi {
  private csrfToken: string | null = null;

  constructor(private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init)) {}

  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
    let response: Response;
    try {
      response = await this.fetchImpl(path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ClinicApiError(0, 'Unreachable', kUnreachable);
    }
    if (response.status === 204) return null;
    let parsed: unknown = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const code = isObject(parsed) && typeof parsed.error === 'string' ? parsed.error : `Http${response.status}`;
      const message = isObject(parsed) && typeof parsed.message === 'string' ? parsed.message : `HTTP ${response.status}`;
      const retry = Number(response.headers.get('Retry-After'));
      throw new ClinicApiError(response.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : null);
    }
    return parsed;
  }

  private remember(body: unknown): void {
    if (isObject(body) && typeof body.csrfToken === 'string') this.csrfToken = body.csrfToken;
  }

  // ---- auth -----------------------------------------------------------------------------------

  async login(email: string, password: string): Promise<User> {
    const body = await this.request('POST', '/api/auth/login', { email, password });
    this.remember(body);
    return (body as { user: User }).user;
  }

  /** The signed-in user, or null when there is no session. */
  async session(): Promise<User | null> {
    try {
      const body = await this.request('GET', '/api/auth/session');
      this.remember(body);
      return (body as { user: User }).user;
    } catch (error) {
      if (error instanceof ClinicApiError && error.status === 401) return null;
      throw error;
    }
  }

  async logout(): Promise<void> {
    await this.request('POST', '/api/auth/logout');
    this.csrfToken = null;
  }

  async setPassword(token: string, password: string): Promise<void> {
    await this.request('POST', '/api/auth/set-password', { token, password });
  }

  // ---- clinician ------------------------------------------------------------------------------

  async clinicians(): Promise<Clinician[]> {
    const body = await this.request('GET', '/api/clinicians');
    return (body as { clinicians: Clinician[] }).clinicians;
  }

  async createVisit(patientName: string | null, scheduledAt: string | null): Promise<Visit> {
    const request: Record<string, string> = {};
    if (patientName) request.patientName = patientName;
    if (scheduledAt) request.scheduledAt = scheduledAt;
    const body = await this.request('POST', '/api/visits', request);
    return (body as { visit: Visit }).visit;
  }

  async visit(visitId: string): Promise<Visit> {
    const body = await this.request('GET', `/api/visits/${encodeURIComponent(visitId)}`);
    return (body as { visit: Visit }).visit;
  }

  async admit(visitId: string, waitId: string): Promise<JoinInfo> {
    const body = await this.request('POST', `/api/visits/${encodeURIComponent(visitId)}/admit`, { waitId });
    const info = isObject(body) ? joinInfoFrom(body.join) : null;
    if (!info) throw new ClinicApiError(500, 'BadReply', 'The server sent an unexpected reply. Try again.');
    return info;
  }

  async message(visitId: string, waitId: string | null, text: string): Promise<void> {
    await this.request('POST', `/api/visits/${encodeURIComponent(visitId)}/message`, waitId ? { waitId, text } : { text });
  }

  async transfer(visitId: string, clinicianId: string): Promise<Visit> {
    const body = await this.request('POST', `/api/visits/${encodeURIComponent(visitId)}/transfer`, { clinicianId });
    return (body as { visit: Visit }).visit;
  }

  async endVisit(visitId: string): Promise<void> {
    await this.request('POST', `/api/visits/${encodeURIComponent(visitId)}/end`);
  }

  async muteAttendee(visitId: string, attendeeId: string, muted: boolean): Promise<void> {
    const path = `/api/visits/${encodeURIComponent(visitId)}/attendees/${encodeURIComponent(attendeeId)}/mute`;
    await this.request('POST', path, { muted });
  }

  async removeAttendee(visitId: string, attendeeId: string): Promise<void> {
    const path = `/api/visits/${encodeURIComponent(visitId)}/attendees/${encodeURIComponent(attendeeId)}/remove`;
    await this.request('POST', path);
  }

  async take(waitId: string): Promise<Visit> {
    const body = await this.request('POST', `/api/queue/${encodeURIComponent(waitId)}/take`);
    return (body as { visit: Visit }).visit;
  }

  // ---- patient --------------------------------------------------------------------------------

  async patientVisit(token: string): Promise<{ id: string; clinicianName: string; status: VisitStatus }> {
    const body = await this.request('GET', `/api/patient/visits/${encodeURIComponent(token)}`);
    return (body as { visit: { id: string; clinicianName: string; status: VisitStatus } }).visit;
  }

  async clinic(slug: string): Promise<{ slug: string; name: string }> {
    const body = await this.request('GET', `/api/clinics/${encodeURIComponent(slug)}`);
    return (body as { clinic: { slug: string; name: string } }).clinic;
  }

  /** Starts waiting: for a visit link (`/v/<token>`) or in a clinic's queue (`/c/<slug>`). */
  async wait(place: PatientPlace, name: string): Promise<string> {
    const path =
      place.kind === 'visit'
        ? `/api/patient/visits/${encodeURIComponent(place.token)}/wait`
        : `/api/patient/clinics/${encodeURIComponent(place.slug)}/wait`;
    const body = await this.request('POST', path, { name });
    this.remember(body);
    return (body as { waitId: string }).waitId;
  }

  async leave(): Promise<void> {
    await this.request('POST', '/api/patient/leave');
  }
}

export type PatientPlace = { kind: 'visit'; token: string } | { kind: 'clinic'; slug: string };

/** The app's one client. */
export const clinicApi = new ClinicApi();
