// Why a call ended or a device failed, in words a person can act on.

import { MeetingSessionStatusCode } from 'amazon-chime-sdk-js';

export type EndKind = 'left' | 'ended' | 'full' | 'removed' | 'elsewhere' | 'rejected' | 'failed';

export interface EndReason {
  kind: EndKind;
  /** null when the person left on purpose: back to the join screen without a message. */
  message: string | null;
}

export function endReasonFor(code: MeetingSessionStatusCode): EndReason {
  switch (code) {
    case MeetingSessionStatusCode.OK:
    case MeetingSessionStatusCode.Left:
      return { kind: 'left', message: null };
    case MeetingSessionStatusCode.MeetingEnded:
      return { kind: 'ended', message: 'The meeting has ended. Start a new room to talk again.' };
    case MeetingSessionStatusCode.AudioCallAtCapacity:
    case MeetingSessionStatusCode.VideoCallAtSourceCapacity:
      return {
        kind: 'full',
        message: 'This room is full. Ask the person who invited you for a new link, or try again later.',
      };
    case MeetingSessionStatusCode.AudioAttendeeRemoved:
      return { kind: 'removed', message: 'You were removed from the meeting.' };
    case MeetingSessionStatusCode.AudioJoinedFromAnotherDevice:
      return { kind: 'elsewhere', message: 'You joined this meeting from another device or tab.' };
    case MeetingSessionStatusCode.AudioAuthenticationRejected:
    case MeetingSessionStatusCode.TURNCredentialsForbidden:
      return { kind: 'rejected', message: 'Your invitation to this call is no longer valid. Join again.' };
    default:
      return {
        kind: 'failed',
        message: 'The call was disconnected. Check your internet connection and join again.',
      };
  }
}

export type MediaProblemKind = 'permission' | 'no-device' | 'in-use' | 'unknown';

export interface MediaProblem {
  kind: MediaProblemKind;
  message: string;
}

export type MediaDeviceKind = 'camera' | 'microphone';

function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const name = (error as { name?: unknown }).name;
    const cause = (error as { cause?: unknown }).cause;
    // The SDK wraps getUserMedia failures (PermissionDeniedError etc.) and keeps the original as cause.
    if (name === 'GetUserMediaError' && cause) return errorName(cause);
    if (typeof name === 'string') return name;
  }
  return '';
}

/** Maps getUserMedia / SDK device errors (by name) to a message. */
export function describeMediaError(error: unknown, device: MediaDeviceKind): MediaProblem {
  const what = device === 'camera' ? 'camera' : 'microphone';
  switch (errorName(error)) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return {
        kind: 'permission',
        message: `Access to your ${what} is blocked. Allow it in your browser's site settings (the icon next to the address), then reload the page.`,
      };
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return {
        kind: 'no-device',
        message:
          device === 'camera'
            ? 'No camera found. Connect one, or join with audio only.'
            : 'No microphone found. Connect a headset or microphone so others can hear you.',
      };
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return {
        kind: 'in-use',
        message: `Your ${what} is in use by another app or tab. Close it, then try again.`,
      };
    default:
      return { kind: 'unknown', message: `Your ${what} could not be started. Check it is connected and try again.` };
  }
}

/** 0..1 loudness of an AnalyserNode time-domain frame (bytes centred on 128), for the mic meter. */
export function levelFromTimeDomain(samples: Uint8Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) {
    const v = (s - 128) / 128;
    sum += v * v;
  }
  const rms = Math.sqrt(sum / samples.length);
  // Speech sits around 0.05-0.3 RMS; stretch that range over the meter.
  return Math.min(1, Math.sqrt(rms) * 1.6);
}
