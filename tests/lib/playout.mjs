// The unmodified Chime SDK in headless Chromium, for lip-sync figures (tests/e2e/lip-sync.test.mjs,
// bench/lip-sync.mjs): join an attendee of the SDK test page, and read a receiver's playout figures.
import { launchBrowser, waitFor } from './browser.mjs';

// A Chromium attendee of `server`'s SDK test page in `room`, started (audioVideoDidStart).
export async function sdkPageAttendee(server, browsers, name, room, opts = {}) {
  const b = await launchBrowser();
  browsers.push(b);
  await b.page.goto(`${server.url}/`);
  await b.page.evaluate(([n, r, o]) => window.sdkTest.join(n, r, o), [name, room, opts]);
  await waitFor(() => b.page.evaluate(() => window.sdkTest.state.started),
    { timeoutMs: 30000, what: `${name}: audioVideoDidStart` });
  return b;
}

// One getStats on the receiver: the mixed audio's and the decoding video's inbound-rtp
// estimatedPlayoutTimestamp (the sender-report NTP time of what is played now; Chromium gives it only
// for streams it synchronises), mean jitter-buffer delay, bytes and frames.
export function playout(b) {
  return b.page.evaluate(async () => {
    const report = await window.sdkTest.session().audioVideo.getRTCPeerConnectionStats();
    const out = { audio: null, video: null };
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const entry = {
        estimated: s.estimatedPlayoutTimestamp,
        jitterMs: s.jitterBufferEmittedCount ? (1000 * s.jitterBufferDelay) / s.jitterBufferEmittedCount : null,
        bytes: s.bytesReceived || 0,
        frames: s.framesDecoded || 0,
      };
      if (s.kind === 'audio') out.audio = entry;
      if (s.kind === 'video' && entry.frames > 0) out.video = entry;
    });
    return out;
  });
}
