import { describe, expect, it } from 'vitest';

import { openPatientEvents, parseClinicState, parsePatientEvent, type EventSourceLike, type PatientEvent } from './events';

const msg = (data: unknown) => new MessageEvent('message', { data: typeof data === 'string' ? data : JSON.stringify(data) });

class FakeSource implements EventSourceLike {
  listeners = new Map<string, (e: MessageEvent) => void>();
  closed = false;
  onerror = null;
  onopen = null;
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (e: MessageEvent) => void) {
    this.listeners.set(type, listener);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, data: unknown) {
    this.listeners.get(type)?.(msg(data));
  }
}

describe('clinic events', () => {
  it('parses the dashboard state and ignores garbage', () => {
    expect(parseClinicState(msg({ visits: [{ id: 'v' }], queue: [{ waitId: 'w', name: 'A', since: 1 }] }))?.queue).toHaveLength(1);
    expect(parseClinicState(msg({ visits: [] }))?.queue).toEqual([]);
    expect(parseClinicState(msg('not json'))).toBeNull();
    expect(parseClinicState(msg({ queue: [] }))).toBeNull();
  });

  it('delivers the waiting patient events in order from one stream', () => {
    let source: FakeSource | null = null;
    const seen: PatientEvent[] = [];
    const close = openPatientEvents((e) => seen.push(e), (url) => (source = new FakeSource(url)));
    expect(source!.url).toBe('/api/patient/events');
    source!.emit('status', { status: 'waiting', clinicianName: 'Dr Jane Doe', messages: [{ text: 'Hello', at: 5 }] });
    source!.emit('message', { text: 'Running 5 minutes late', at: 6 });
    source!.emit('message', { nope: true });
    source!.emit('transferred', { clinicianName: 'Dr Ann Lee' });
    source!.emit('admitted', {
      join: {
        Meeting: { MeetingId: 'm', MediaPlacement: { AudioHostUrl: 'a', SignalingUrl: 's' } },
        Attendee: { AttendeeId: 'p', ExternalUserId: 'x', JoinToken: 't' },
      },
    });
    source!.emit('admitted', { join: {} });
    source!.emit('ended', { reason: 'Removed' });
    expect(seen.map((e) => e.type)).toEqual(['status', 'message', 'transferred', 'admitted', 'ended']);
    expect(seen[0]).toMatchObject({ clinicianName: 'Dr Jane Doe', messages: [{ text: 'Hello', at: 5 }] });
    expect(seen[1]).toMatchObject({ message: { text: 'Running 5 minutes late' } });
    expect(seen[4]).toEqual({ type: 'ended', reason: 'Removed' });
    close();
    expect(source!.closed).toBe(true);
  });

  it('rejects malformed event bodies', () => {
    expect(parsePatientEvent('transferred', msg({}))).toBeNull();
    expect(parsePatientEvent('unknown', msg({}))).toBeNull();
    expect(parsePatientEvent('message', msg('[1,2]'))).toBeNull();
  });
});
