import type { DataMessage } from 'amazon-chime-sdk-js';
import { describe, expect, it } from 'vitest';

import { applyHostMessage, decodeHostMessage, hostActionsFor, HostControlsListener, kHostTopic, type HostAudio } from './hostControls';

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

class FakeAudio implements HostAudio {
  calls: string[] = [];
  handler: ((m: DataMessage) => void) | null = null;
  topic: string | null = null;
  realtimeMuteLocalAudio() {
    this.calls.push('mute');
  }
  realtimeSetCanUnmuteLocalAudio(canUnmute: boolean) {
    this.calls.push(`canUnmute:${canUnmute}`);
  }
  realtimeSubscribeToReceiveDataMessage(topic: string, callback: (m: DataMessage) => void) {
    this.topic = topic;
    this.handler = callback;
  }
  realtimeUnsubscribeFromReceiveDataMessage(topic: string) {
    if (topic === this.topic) this.handler = null;
  }
  receive(data: unknown, throttled = false) {
    this.handler?.({ data: bytes(data), throttled, senderAttendeeId: 'clinician', topic: kHostTopic, timestampMs: 1 } as unknown as DataMessage);
  }
}

describe('decodeHostMessage', () => {
  it('accepts the two messages of the contract', () => {
    expect(decodeHostMessage(bytes({ type: 'mute', attendeeId: 'p', canUnmute: false }))).toEqual({ type: 'mute', attendeeId: 'p', canUnmute: false });
    expect(decodeHostMessage(bytes({ type: 'allow-unmute', attendeeId: 'p' }))).toEqual({ type: 'allow-unmute', attendeeId: 'p' });
  });

  it('rejects anything else without throwing', () => {
    expect(decodeHostMessage(bytes('not json'))).toBeNull();
    expect(decodeHostMessage(new Uint8Array([0xff, 0xfe]))).toBeNull();
    expect(decodeHostMessage(bytes({ type: 'mute' }))).toBeNull();
    expect(decodeHostMessage(bytes({ type: 'kick', attendeeId: 'p' }))).toBeNull();
    expect(decodeHostMessage(bytes(null))).toBeNull();
  });
});

describe('HostControlsListener', () => {
  it('mutes us and forbids unmuting when the host mutes us, and allows it again', () => {
    const audio = new FakeAudio();
    const listener = new HostControlsListener(audio, 'patient');
    listener.attach();
    expect(audio.topic).toBe(kHostTopic);
    audio.receive({ type: 'mute', attendeeId: 'patient', canUnmute: false });
    expect(audio.calls).toEqual(['mute', 'canUnmute:false']);
    expect(listener.selfHostMuted).toBe(true);
    audio.receive({ type: 'allow-unmute', attendeeId: 'patient' });
    expect(audio.calls).toEqual(['mute', 'canUnmute:false', 'canUnmute:true']);
    expect(listener.selfHostMuted).toBe(false);
  });

  it('only records a mute of someone else, and ignores throttled or foreign messages', () => {
    const audio = new FakeAudio();
    const listener = new HostControlsListener(audio, 'clinician');
    listener.attach();
    audio.receive({ type: 'mute', attendeeId: 'patient', canUnmute: false });
    audio.receive({ type: 'mute', attendeeId: 'clinician', canUnmute: false }, true);
    audio.receive('garbage');
    expect(audio.calls).toEqual([]);
    expect(listener.store.get().hostMuted).toEqual({ patient: true });
    listener.detach();
    audio.receive({ type: 'allow-unmute', attendeeId: 'patient' });
    expect(listener.store.get().hostMuted).toEqual({ patient: true });
  });

  it('applyHostMessage keeps the same object when nothing changes', () => {
    const s = { hostMuted: {} };
    expect(applyHostMessage(s, { type: 'allow-unmute', attendeeId: 'x' })).toBe(s);
    expect(applyHostMessage(s, { type: 'mute', attendeeId: 'x', canUnmute: true })).toBe(s);
  });
});

describe('hostActionsFor', () => {
  it('calls the clinic API for the visit and records the mute once accepted', async () => {
    const calls: string[] = [];
    const api = {
      async muteAttendee(v: string, a: string, m: boolean) {
        calls.push(`mute ${v} ${a} ${m}`);
      },
      async removeAttendee(v: string, a: string) {
        calls.push(`remove ${v} ${a}`);
      },
      async endVisit(v: string) {
        calls.push(`end ${v}`);
      },
    };
    const listener = new HostControlsListener(new FakeAudio(), 'clinician');
    const actions = hostActionsFor('v1', api, listener);
    await actions.setMuted('p', true);
    expect(listener.store.get().hostMuted).toEqual({ p: true });
    await actions.setMuted('p', false);
    expect(listener.store.get().hostMuted).toEqual({});
    await actions.remove('p');
    await actions.endVisit();
    expect(calls).toEqual(['mute v1 p true', 'mute v1 p false', 'remove v1 p', 'end v1']);
  });

  it('records nothing when the server refuses', async () => {
    const listener = new HostControlsListener(new FakeAudio(), 'clinician');
    const api = {
      muteAttendee: async () => {
        throw new Error('403');
      },
      removeAttendee: async () => undefined,
      endVisit: async () => undefined,
    };
    await expect(hostActionsFor('v1', api, listener).setMuted('p', true)).rejects.toThrow('403');
    expect(listener.store.get().hostMuted).toEqual({});
  });
});
