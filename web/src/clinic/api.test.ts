import { describe, expect, it } from 'vitest';

import { ClinicApi, ClinicApiError, joinInfoFrom } from './api';
import { linkProblem, loginProblem, kLoginFailed, setPasswordProblem, visitEndMessage } from './messages';

const join = {
  Meeting: { MeetingId: 'm1', ExternalMeetingId: 'visit-1', MediaPlacement: { AudioHostUrl: 'a', SignalingUrl: 'wss://s' } },
  Attendee: { AttendeeId: 'a1', ExternalUserId: 'u1', JoinToken: 't' },
};

type Call = { url: string; init: RequestInit };

function fakeFetch(replies: Array<{ status: number; body?: unknown; headers?: Record<string, string> }>) {
  const calls: Call[] = [];
  const impl = async (url: string, init?: RequestInit) => {
    calls.push({ url, init: init ?? {} });
    const r = replies.shift()!;
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), { status: r.status, headers: r.headers });
  };
  return { calls, impl };
}

const header = (c: Call, name: string) => (c.init.headers as Record<string, string>)[name];

describe('ClinicApi', () => {
  it('sends the session CSRF token on state-changing requests only', async () => {
    const { calls, impl } = fakeFetch([
      { status: 200, body: { user: { id: 'u', name: 'Dr Doe', role: 'clinician' }, csrfToken: 'csrf-1' } },
      { status: 200, body: { visits: [] } },
      { status: 201, body: { visit: { id: 'v1' } } },
    ]);
    const api = new ClinicApi(impl);
    await api.login('jane@example.org', 'correct horse');
    expect(header(calls[0]!, 'X-CSRF-Token')).toBeUndefined();
    await api.request('GET', '/api/visits');
    expect(header(calls[1]!, 'X-CSRF-Token')).toBeUndefined();
    const visit = await api.createVisit('Pat', null);
    expect(visit.id).toBe('v1');
    expect(header(calls[2]!, 'X-CSRF-Token')).toBe('csrf-1');
    expect(JSON.parse(String(calls[2]!.init.body))).toEqual({ patientName: 'Pat' });
  });

  it('turns error replies into ClinicApiError with the type, status and Retry-After', async () => {
    const { impl } = fakeFetch([
      { status: 410, body: { error: 'LinkExpired', message: 'This visit link has expired.' } },
      { status: 429, body: { error: 'TooManyRequests' }, headers: { 'Retry-After': '90' } },
    ]);
    const api = new ClinicApi(impl);
    const expired = await api.patientVisit('tok').catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(ClinicApiError);
    expect((expired as ClinicApiError).code).toBe('LinkExpired');
    expect(linkProblem(expired)).toBe('This visit link has expired.');
    const limited = await api.login('a@b.c', 'x').catch((e: unknown) => e);
    expect((limited as ClinicApiError).retryAfterSeconds).toBe(90);
    expect(loginProblem(limited)).toBe('Too many attempts. Try again in 2 min.');
  });

  it('reports a network failure as unreachable', async () => {
    const api = new ClinicApi(async () => {
      throw new TypeError('failed to fetch');
    });
    const error = (await api.session().catch((e: unknown) => e)) as ClinicApiError;
    expect(error.status).toBe(0);
    expect(linkProblem(error)).toMatch(/Can't reach/);
  });

  it('treats 401 on /api/auth/session as logged out', async () => {
    const { impl } = fakeFetch([{ status: 401, body: { error: 'NotLoggedIn' } }]);
    expect(await new ClinicApi(impl).session()).toBeNull();
  });

  it('reads the JoinInfo from admit in either shape', async () => {
    expect(joinInfoFrom(join)?.Attendee.AttendeeId).toBe('a1');
    expect(joinInfoFrom({ JoinInfo: join })?.Meeting.MeetingId).toBe('m1');
    expect(joinInfoFrom({ Meeting: {} })).toBeNull();
    const { calls, impl } = fakeFetch([{ status: 200, body: { join } }]);
    const info = await new ClinicApi(impl).admit('v 1', 'w1');
    expect(info.Meeting.ExternalMeetingId).toBe('visit-1');
    expect(calls[0]!.url).toBe('/api/visits/v%201/admit');
  });
});

describe('messages', () => {
  it('names each bad link, never a blank', () => {
    const e = (status: number, code: string) => new ClinicApiError(status, code, 'server words');
    expect(linkProblem(e(404, 'LinkInvalid'))).toBe('This visit link is not valid.');
    expect(linkProblem(e(410, 'VisitEnded'))).toBe('This visit has ended.');
    expect(linkProblem(e(410, 'Removed'))).toBe('You were removed from this visit.');
    expect(linkProblem(e(404, 'ClinicNotFound'))).toBe('This clinic link is not valid.');
    expect(linkProblem(e(500, 'Boom'))).toMatch(/Reload the page/);
    expect(linkProblem(new Error('x'))).toMatch(/Reload the page/);
    expect(setPasswordProblem(e(410, 'LinkUsed'))).toMatch(/already used/);
    expect(setPasswordProblem(e(410, 'LinkExpired'))).toMatch(/expired/);
  });

  it('gives one login message for every refusal, whatever the server said', () => {
    expect(loginProblem(new ClinicApiError(401, 'InvalidCredentials', 'No such user jane@example.org'))).toBe(kLoginFailed);
    expect(loginProblem(new ClinicApiError(403, 'AccountDisabled', 'disabled'))).toBe(kLoginFailed);
  });

  it('says how a visit call ended', () => {
    expect(visitEndMessage('removed')).toBe('You were removed from the visit.');
    expect(visitEndMessage('ended')).toBe('The visit has ended.');
    expect(visitEndMessage('VisitEnded')).toBe('The visit has ended.');
  });
});
