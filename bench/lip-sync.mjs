// Lip sync as Chromium sees it: two attendees with camera and microphone (the unmodified Chime SDK
// in headless Chromium), and on the receiver, every second, the inbound-rtp figures of the mixed
// audio and of the other's video: estimatedPlayoutTimestamp (the sender-report NTP time of what is
// played now: their difference is how far apart, in time of arrival at the server, the audio and
// video being played are) and the mean jitter-buffer delay. Chromium gives estimatedPlayoutTimestamp
// only for streams it synchronises, i.e. audio and video in one a=msid stream (the mixed audio is in
// the first remote video's stream since the lip-sync change); the script says so when it is missing. A measurement, not a test. Loopback only; run inside a private network namespace:
//   unshare -n bash -c 'ip link set lo up && node bench/lip-sync.mjs'
// (MEDICALL_BIN names the binary; default build/medicall.)
import { waitFor } from '../tests/lib/browser.mjs';
import { playout, sdkPageAttendee } from '../tests/lib/playout.mjs';
import { buildSdkPage } from '../tests/lib/sdk-page.mjs';
import { startServer } from '../tests/lib/server.mjs';

const SAMPLES = 8;

const server = await startServer({ args: ['--web-dir', await buildSdkPage()] });
const browsers = [];

try {
  const room = `lipsync-${Date.now()}`;
  await sdkPageAttendee(server, browsers, 'Ava', room);
  const bo = await sdkPageAttendee(server, browsers, 'Bo', room);
  await waitFor(async () => ((await playout(bo)).video ? true : null), { timeoutMs: 30000, what: 'Bo decodes video' });
  await new Promise((r) => setTimeout(r, 20000)); // sender reports (the mix sends one every 5 s), sync settles
  const offsets = [];
  for (let i = 0; i < SAMPLES; i++) {
    const p = await playout(bo);
    const both = p.audio?.estimated && p.video?.estimated;
    if (both) offsets.push(p.video.estimated - p.audio.estimated);
    console.log(`video - audio ${both ? `${(p.video.estimated - p.audio.estimated).toFixed(0)} ms` : 'n/a (no estimatedPlayoutTimestamp)'}; ` +
      `jitter buffer audio ${p.audio?.jitterMs?.toFixed(0)} ms, video ${p.video?.jitterMs?.toFixed(0)} ms`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  offsets.sort((x, y) => x - y);
  console.log(offsets.length ? `median video - audio ${offsets[Math.floor(offsets.length / 2)].toFixed(0)} ms`
    : 'Chromium does not synchronise these streams (no common a=msid stream): no estimatedPlayoutTimestamp');
} finally {
  for (const b of browsers) await b.close();
  await server.stop();
}
