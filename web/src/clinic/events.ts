// Server-sent events: the clinician's live dashboard state and the waiting patient's events.
// EventSource reconnects by itself; nothing here polls.

import { useEffect, useState } from 'react';

import type { JoinInfo } from '../meeting/api';
import { joinInfoFrom, type ClinicState, type VisitStatus } from './api';

export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
  onerror: ((event: Event) => void) | null;
  onopen: ((event: Event) => void) | null;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

export const browserEventSource: EventSourceFactory = (url) =>
  new EventSource(url, { withCredentials: true }) as unknown as EventSourceLike;

function parse(event: MessageEvent): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(String(event.data));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function parseClinicState(event: MessageEvent): ClinicState | null {
  const body = parse(event);
  if (!body || !Array.isArray(body.visits)) return null;
  return { visits: body.visits as ClinicState['visits'], queue: Array.isArray(body.queue) ? (body.queue as ClinicState['queue']) : [] };
}

export interface LiveClinicState {
  state: ClinicState | null;
  /** False while the stream is down (EventSource retries on its own). */
  live: boolean;
}

/** The dashboard's state from GET /api/clinic/events: sent on connect and on every change. */
export function useClinicState(enabled: boolean, factory: EventSourceFactory = browserEventSource): LiveClinicState {
  const [live, setLive] = useState<LiveClinicState>({ state: null, live: false });
  useEffect(() => {
    if (!enabled) return;
    const source = factory('/api/clinic/events');
    source.addEventListener('state', (event) => {
      const state = parseClinicState(event);
      if (state) setLive({ state, live: true });
    });
    source.onopen = () => setLive((s) => ({ ...s, live: true }));
    source.onerror = () => setLive((s) => ({ ...s, live: false }));
    return () => source.close();
  }, [enabled, factory]);
  return live;
}

export interface ClinicianMessage {
  text: string;
  at: number;
}

export type PatientEvent =
  | { type: 'status'; status: VisitStatus | string; clinicianName: string | null; messages: ClinicianMessage[] }
  | { type: 'message'; message: ClinicianMessage }
  | { type: 'transferred'; clinicianName: string }
  | { type: 'admitted'; join: JoinInfo }
  | { type: 'ended'; reason: string };

function toMessage(value: unknown): ClinicianMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const { text, at } = value as Record<string, unknown>;
  if (typeof text !== 'string') return null;
  return { text, at: typeof at === 'number' ? at : Date.now() };
}

/** Decodes one event of GET /api/patient/events; null for malformed ones. */
export function parsePatientEvent(type: string, event: MessageEvent): PatientEvent | null {
  const body = parse(event);
  if (!body) return null;
  switch (type) {
    case 'status': {
      const messages = Array.isArray(body.messages) ? body.messages.map(toMessage).filter((m) => m !== null) : [];
      return {
        type,
        status: typeof body.status === 'string' ? body.status : 'waiting',
        clinicianName: typeof body.clinicianName === 'string' ? body.clinicianName : null,
        messages,
      };
    }
    case 'message': {
      const message = toMessage(body);
      return message ? { type, message } : null;
    }
    case 'transferred':
      return typeof body.clinicianName === 'string' ? { type, clinicianName: body.clinicianName } : null;
    case 'admitted': {
      const join = joinInfoFrom(body.join);
      return join ? { type, join } : null;
    }
    case 'ended':
      return { type, reason: typeof body.reason === 'string' ? body.reason : 'VisitEnded' };
    default:
      return null;
  }
}

const kPatientEvents = ['status', 'message', 'transferred', 'admitted', 'ended'] as const;

/** Opens the waiting patient's event stream; returns a function that closes it. */
export function openPatientEvents(onEvent: (event: PatientEvent) => void, factory: EventSourceFactory = browserEventSource): () => void {
  const source = factory('/api/patient/events');
  for (const type of kPatientEvents) {
    source.addEventListener(type, (event) => {
      const parsed = parsePatientEvent(type, event);
      if (parsed) onEvent(parsed);
    });
  }
  return () => source.close();
}
