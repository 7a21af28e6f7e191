// Issue 11, lip sync: the mixed audio and the forwarded video are played in sync by the receiver.
// The server puts both on one clock (the mix's sender reports map to when its sound reached us, a
// video's to when its frame did), and the answer puts the mixed audio in the a=msid stream of the
// first remote video ("v_2", SubscribeNegotiator::AudioSyncStream): Chromium synchronises audio and
// video of one stream only, and the SDK names a tile by its video's stream id. Chromium reports
// inbound-rtp estimatedPlayoutTimestamp only for streams it synchronises, so its presence on both is
// the first check; the offset between them is the second, against the detectability window of
// ITU-R BT.1359 (audio at most 45 ms ahead of the video, at most 125 ms behind).
// Unmodified amazon-chime-sdk-js in headless Chromium; the suite runs inside `unshare -n`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../lib/browser.mjs';
import { playout, sdkPageAttendee } from '../lib/playout.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';

const SETTLE_MS = 20000;  // the mix sends a sender report every 5 s; Chromium's sync converges after a few
// Samples once a second; the verdict is on the median of the last half (steady state). Once in 14
// development runs the offset started at -5.8 s and decayed by about 0.7 per second to -0.5 s (see
// bench/RESULTS.md, "Lip sync"): every sample is printed, with each stream's age, for that case.
const SAMPLES = 12;
const NTP_UNIX_OFFSET_MS = 2208988800000;

let server;
const browsers = [];

before(async () => {
  server = await startServer({ args: ['--web-dir', await buildSdkPage()] });
});

after(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
});

describe('lip sync', () => {
  test('the receiver plays the mixed audio in sync with the video', async () => {
    const room = `lipsync-${Date.now()}`;
    await sdkPageAttendee(server, browsers, 'Ava', room);
    const bo = await sdkPageAttendee(server, browsers, 'Bo', room);
    await waitFor(async () => ((await playout(bo)).video ? true : null), { timeoutMs: 30000, what: 'Bo decodes Ava' });
    // The audio shares the video's stream and the SDK still makes one tile of it, bound, and plays the
    // audio from its audio element (the stream it was given holds the mixed audio track).
    assert.equal(await bo.page.evaluate(() => window.sdkTest.sdkRemoteTileCount()), 1, 'Bo: one remote tile, Ava\'s');
    const answers = await bo.page.evaluate(() => window.sdkTest.state.sdp.filter((d) => d.type === 'answer').map((d) => d.sdp));
    const audio = answers.at(-1).split(/\r\n(?=m=)/).find((m) => m.startsWith('m=audio'));
    assert.match(audio, /a=msid:v_2 mixed_audio_track/, 'the mixed audio is in the stream of the video on mid 2');
    await new Promise((r) => setTimeout(r, SETTLE_MS));

    const offsets = [];
    const ages = [];
    let audioBytes = null;
    for (let i = 0; i < SAMPLES; i++) {
      const p = await playout(bo);
      assert.ok(p.audio && p.video, 'Bo receives audio and video');
      assert.ok(p.audio.estimated > 0 && p.video.estimated > 0,
        `Chromium synchronises them (estimatedPlayoutTimestamp audio ${p.audio.estimated}, video ${p.video.estimated})`);
      offsets.push(p.video.estimated - p.audio.estimated);
      // Age: how long ago (on this machine's clock) the content being played reached the server.
      const nowNtp = Date.now() + NTP_UNIX_OFFSET_MS;
      ages.push(`${(nowNtp - p.audio.estimated).toFixed(0)}/${(nowNtp - p.video.estimated).toFixed(0)}`);
      if (audioBytes !== null) assert.ok(p.audio.bytes > audioBytes, 'the mixed audio keeps arriving');
      audioBytes = p.audio.bytes;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const steady = offsets.slice(SAMPLES / 2).sort((x, y) => x - y);
    const median = steady[Math.floor(steady.length / 2)];
    console.log(`lip sync: video - audio estimatedPlayoutTimestamp ${offsets.map((o) => o.toFixed(0)).join(', ')} ms ` +
      `(median of the last ${steady.length}: ${median.toFixed(0)}); age audio/video ms ${ages.join(', ')}`);
    // Positive: the audio being played is older than the video being played (audio behind).
    assert.ok(median <= 125 && median >= -45, `audio ${median.toFixed(0)} ms behind the video, within BT.1359's -45..+125 ms`);
  });
});
