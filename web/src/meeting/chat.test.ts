import { describe, expect, it } from 'vitest';

import { appendMessage, decodeChat, kMaxChatMessages, markLastOwnFailed, prepareOutgoing, type ChatMessage } from './chat';

const enc = new TextEncoder();

function message(id: string, self: boolean, text = id): ChatMessage {
  return { id, senderAttendeeId: self ? 'me' : 'bob', senderName: 'x', text, timestampMs: 0, self, failed: false };
}

describe('chat payloads', () => {
  it('round-trips unicode text through the data message payload', () => {
    const out = prepareOutgoing('  Hello, Dr. Müller 👋  ');
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.text).toBe('Hello, Dr. Müller 👋');
    expect(decodeChat(out.payload)).toBe('Hello, Dr. Müller 👋');
  });

  it('refuses empty and oversized messages', () => {
    expect(prepareOutgoing('   ')).toEqual({ ok: false, reason: 'Type a message first.' });
    const long = prepareOutgoing('é'.repeat(1000));
    expect(long.ok).toBe(false);
    expect(prepareOutgoing('a'.repeat(1900)).ok).toBe(true);
  });

  it('ignores payloads that are not our chat JSON', () => {
    expect(decodeChat(enc.encode('plain text'))).toBeNull();
    expect(decodeChat(enc.encode('{"msg":"x"}'))).toBeNull();
    expect(decodeChat(enc.encode('{"text":5}'))).toBeNull();
    expect(decodeChat(enc.encode('{"text":"   "}'))).toBeNull();
    expect(decodeChat(new Uint8Array([0x7b, 0xff, 0xfe]))).toBeNull();
    expect(decodeChat(new Uint8Array(0))).toBeNull();
  });
});

describe('chat list', () => {
  it('caps the history', () => {
    let list: ChatMessage[] = [];
    for (let i = 0; i < kMaxChatMessages + 5; i++) list = appendMessage(list, message(String(i), false));
    expect(list).toHaveLength(kMaxChatMessages);
    expect(list[0]!.id).toBe('5');
  });

  it('marks the matching own message as failed when the server throttled it', () => {
    const list = [message('a', true, 'hi'), message('b', false, 'hi'), message('c', true, 'later')];
    const marked = markLastOwnFailed(list, 'hi');
    expect(marked.map((m) => m.failed)).toEqual([true, false, false]);
    expect(markLastOwnFailed(list, null).map((m) => m.failed)).toEqual([false, false, true]);
  });
});
