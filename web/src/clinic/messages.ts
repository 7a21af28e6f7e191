// What a person reads when a link or a login does not work: one sentence each, never a blank page.

import { ClinicApiError } from './api';

export const kLoginFailed = 'The email or password is not right.';

/** The page for a patient link the server refused (GET /api/patient/visits/:token, /api/clinics/:slug). */
export function linkProblem(error: unknown): string {
  if (!(error instanceof ClinicApiError)) return 'Something went wrong opening this link. Reload the page to try again.';
  switch (error.code) {
    case 'LinkExpired':
      return 'This visit link has expired.';
    case 'VisitEnded':
      return 'This visit has ended.';
    case 'Removed':
      return 'You were removed from this visit.';
    case 'LinkUsed':
      return 'This link was already used.';
    case 'LinkInvalid':
    case 'NotFound':
      return 'This visit link is not valid.';
    case 'ClinicNotFound':
      return 'This clinic link is not valid.';
    case 'Unreachable':
      return error.message;
    default:
      return error.status === 404 ? 'This visit link is not valid.' : 'Something went wrong opening this link. Reload the page to try again.';
  }
}

/** A set-password link the server refused. */
export function setPasswordProblem(error: unknown): string {
  if (!(error instanceof ClinicApiError)) return 'Your password could not be set. Try again.';
  switch (error.code) {
    case 'InvalidPassword':
      return 'Choose a password of at least 10 characters.';
    case 'LinkExpired':
      return 'This set-password link has expired. Ask your administrator for a new one.';
    case 'LinkUsed':
      return 'This set-password link was already used. Log in, or ask your administrator for a new link.';
    case 'LinkInvalid':
      return 'This set-password link is not valid. Ask your administrator for a new one.';
    default:
      return error.status === 0 ? error.message : 'Your password could not be set. Try again.';
  }
}

/** Login failures: the same words for a wrong email, a wrong password and a disabled account. */
export function loginProblem(error: unknown): string {
  if (error instanceof ClinicApiError) {
    if (error.status === 429) {
      const minutes = error.retryAfterSeconds ? Math.max(1, Math.ceil(error.retryAfterSeconds / 60)) : null;
      return minutes ? `Too many attempts. Try again in ${minutes} min.` : 'Too many attempts. Try again later.';
    }
    if (error.status === 0) return error.message;
    if (error.status >= 500) return 'The server could not log you in. Try again in a moment.';
  }
  return kLoginFailed;
}

/** How an admitted patient's or a clinician's call ended, in the clinic's words. */
export function visitEndMessage(kind: string): string {
  switch (kind) {
    case 'removed':
    case 'Removed':
      return 'You were removed from the visit.';
    case 'ended':
    case 'VisitEnded':
      return 'The visit has ended.';
    case 'left':
      return 'You left the visit.';
    default:
      return 'The call was disconnected.';
  }
}
