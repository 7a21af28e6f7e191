import { describe, expect, it } from 'vitest';

import { parseRoute, visitPath } from './router';

describe('parseRoute', () => {
  it('maps every page of the app', () => {
    expect(parseRoute('/')).toEqual({ kind: 'home' });
    expect(parseRoute('/login')).toEqual({ kind: 'login' });
    expect(parseRoute('/login/')).toEqual({ kind: 'login' });
    expect(parseRoute('/dashboard')).toEqual({ kind: 'dashboard' });
    expect(parseRoute('/set-password/abc_-1')).toEqual({ kind: 'set-password', token: 'abc_-1' });
    expect(parseRoute('/visits/v123')).toEqual({ kind: 'visit', visitId: 'v123' });
    expect(parseRoute('/v/tok')).toEqual({ kind: 'patient-visit', token: 'tok' });
    expect(parseRoute('/c/clinic')).toEqual({ kind: 'clinic-queue', slug: 'clinic' });
    expect(parseRoute('/report/m-1')).toEqual({ kind: 'report', meetingId: 'm-1' });
  });

  it('sends unknown and malformed paths to not-found, never throws', () => {
    expect(parseRoute('/nope')).toEqual({ kind: 'not-found' });
    expect(parseRoute('/v/')).toEqual({ kind: 'not-found' });
    expect(parseRoute('/v/a/b')).toEqual({ kind: 'not-found' });
    expect(parseRoute('/v/%E0%A4%A')).toEqual({ kind: 'not-found' });
  });

  it('round-trips a visit id through visitPath', () => {
    expect(parseRoute(visitPath('a b/c'))).toEqual({ kind: 'visit', visitId: 'a b/c' });
  });
});
