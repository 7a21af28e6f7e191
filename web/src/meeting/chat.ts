// Chat over Chime data messages (topic "chat"). Payload: UTF-8 JSON {"text": "..."}.
// The sender's identity comes from the server-stamped senderAttendeeId, never from the payload.

export const kChatTopic = 'chat';
/** The server drops data messages over 2048 bytes; leave room for the JSON wrapper. */
export const kMaxChatBytes = 2000;
export const kMaxChatMessages = 200;

export interface ChatMessage {
  id: string;
  senderAttendeeId: string;
  senderName: string;
  text: string;
  timestampMs: number;
  self: boolean;
  failed: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export type OutgoingCheck = { ok: true; text: string; payload: Uint8Array } | { ok: false; reason: string };

export function prepareOutgoing(raw: string): OutgoingCheck {
  const text = raw.trim();
  if (text.length === 0) return { ok: false, reason: 'Type a message first.' };
  const payload = encoder.encode(JSON.stringify({ text }));
  if (payload.byteLength > kMaxChatBytes) return { ok: false, reason: 'That message is too long. Split it up.' };
  return { ok: true, text, payload };
}

/** The text of a received payload, or null when it is not a chat message we understand. */
export function decodeChat(data: Uint8Array): string | null {
  if (data.byteLength === 0 || data.byteLength > 2048) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const text = (parsed as { text?: unknown }).text;
  if (typeof text !== 'string') return null;
  const trimmed = text.trim();
  return trimmed.length > 0 ? trimmed : null;
}

export function appendMessage(list: readonly ChatMessage[], message: ChatMessage): ChatMessage[] {
  const next = [...list, message];
  return next.length > kMaxChatMessages ? next.slice(next.length - kMaxChatMessages) : next;
}

/** The SDK hands a sender its own message back with throttled=true when the server refused it. */
export function markLastOwnFailed(list: readonly ChatMessage[], text: string | null): ChatMessage[] {
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i]!;
    if (m.self && !m.failed && (text === null || m.text === text)) {
      const next = [...list];
      next[i] = { ...m, failed: true };
      return next;
    }
  }
  return [...list];
}
