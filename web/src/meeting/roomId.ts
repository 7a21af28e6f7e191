// Room ids: hard to guess when made here, pre-filled from ?room=, shared as a link.

// Crockford's base32 alphabet (no i, l, o, u): 32 symbols, so a random byte masked to 5 bits is unbiased.
const kAlphabet = '0123456789abcdefghjkmnpqrstvwxyz';
const kGroups = 4;
const kGroupLength = 6; // 4 x 6 x 5 bits = 120 random bits

export type RandomFill = (bytes: Uint8Array) => Uint8Array;

const defaultFill: RandomFill = (bytes) => crypto.getRandomValues(bytes);

/** A new room id such as "k7qmxe-2hw9ra-p3tzvd-mq8c4n" (120 bits from crypto.getRandomValues). */
export function newRoomId(fill: RandomFill = defaultFill): string {
  const bytes = fill(new Uint8Array(kGroups * kGroupLength));
  const groups: string[] = [];
  for (let g = 0; g < kGroups; g++) {
    let group = '';
    for (let i = 0; i < kGroupLength; i++) {
      group += kAlphabet[bytes[g * kGroupLength + i]! & 31];
    }
    groups.push(group);
  }
  return groups.join('-');
}

export const kMaxRoomIdLength = 64;
export const kMaxNameLength = 64;

/** Trims and checks a typed room id; returns an error message or null. */
export function roomIdProblem(roomId: string): string | null {
  const id = roomId.trim();
  if (id.length === 0) return 'Enter a room ID, or press "New room".';
  if (id.length > kMaxRoomIdLength) return `A room ID has at most ${kMaxRoomIdLength} characters.`;
  if (!/^[A-Za-z0-9._-]+$/.test(id)) return 'A room ID may only contain letters, digits, ".", "_" and "-".';
  return null;
}

export function nameProblem(name: string): string | null {
  const n = name.trim();
  if (n.length === 0) return 'Enter your name so others know who you are.';
  if (n.length > kMaxNameLength) return `A name has at most ${kMaxNameLength} characters.`;
  return null;
}

/** The room id from a query string such as "?room=abc", or "" when absent or unusable. */
export function roomFromSearch(search: string): string {
  const room = new URLSearchParams(search).get('room')?.trim() ?? '';
  return roomIdProblem(room) === null ? room : '';
}

/** The link that opens the join screen with the room pre-filled. */
export function shareLink(origin: string, roomId: string): string {
  return `${origin}/?room=${encodeURIComponent(roomId)}`;
}
