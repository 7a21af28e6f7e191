// Issue 11: one receiver behind a bottleneck. A simulcast sender (the unmodified SDK with
// enableSimulcastForUnifiedPlanChromiumBasedBrowsers) and two receivers, each Chromium on its own host
// (tests/lib/netns.mjs). The constrained receiver's download is held to 500 kbit/s by `tc tbf` on the
// suite side of its veth; the other receiver's link is clean. Both receivers ask for the highest layer
// (the SDK's AllHighestVideoBandwidthPolicy): the server's estimate toward each decides what it gets.
// After the first 10 s, for WINDOW_MS:
//   - the constrained receiver keeps decoding the sender's video (its low layer) at >= 10 fps in every
//     5 s window, with no gap between decoded frames longer than 1 s;
//   - the unconstrained receiver keeps the high layer (>= 640 px wide).
// Bitrate, fps, width and the longest gap are printed for both (bench/RESULTS.md records them).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../lib/browser.mjs';
import { inboundVideoOf, insecureOriginAsSecure, sdkAttendeeOn } from '../lib/host-call.mjs';
import { createHost } from '../lib/netns.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';

const WINDOW_MS = Number(process.env.BOTTLENECK_WINDOW_MS || 40000);
const SAMPLE_MS = 250;
let server;
const hosts = [];
const browsers = [];

function attendeeOn(host, name, room, joinOptions) {
  const origin = `http://${host.gateway}:${server.port}`;
  return sdkAttendeeOn(host, { name, room, origin, browsers, joinOptions, extraArgs: insecureOriginAsSecure(origin) });
}


// The router's layer decisions, for a failure's message.
const routerLog = () => server.logs.join('').split('\n')
  .filter((l) => /now layer|forwards layer|asks for|publishes|estimate/.test(l)).slice(-40).join('\n');

before(async () => {
  hosts.push(await createHost(5), await createHost(6), await createHost(7));
  const webDir = await buildSdkPage();
  server = await startServer({ args: ['--web-dir', webDir], logLevel: 'info' });
});

after(async () => {
  while (browsers.length) await browsers.pop().close();
  await server?.stop();
  for (const h of hosts) await h.close();
});

describe('a receiver behind a 500 kbit/s bottleneck', () => {
  test('it decodes the low layer at >= 10 fps without a freeze over 1 s; a clean receiver keeps the high layer', async () => {
    const room = `bottleneck-${Date.now()}`;
    const [senderHost, slowHost, fastHost] = hosts;
    const index = slowHost.index;
    try {
      const sender = await attendeeOn(senderHost, 'Sender', room, { simulcast: true });
      // Receivers send no video: the sender's uplink policy publishes low and high for three
      // participants, and the constrained download carries one camera and the audio.
      const slow = await attendeeOn(slowHost, 'Slow', room, { video: false, simulcast: true, allHighest: true });
      const fast = await attendeeOn(fastHost, 'Fast', room, { video: false, simulcast: true, allHighest: true });
      // The page (the SDK's bundle) is loaded: now the download is held to 500 kbit/s.
      await slowHost.suite('tc', ['qdisc', 'add', 'dev', `vh${index}`, 'root', 'tbf', 'rate', '500kbit',
        'burst', '20kbit', 'latency', '100ms']);
      for (const r of [slow, fast]) {
        await waitFor(async () => ((await inboundVideoOf(r, sender))?.framesDecoded || 0) > 30,
          { timeoutMs: 45000, what: `${r.name} decodes the sender` });
      }
      await waitFor(async () => ((await inboundVideoOf(fast, sender))?.frameWidth || 0) >= 640,
        { timeoutMs: 30000, what: 'the clean receiver gets >= 640 px' });
      await new Promise((r) => setTimeout(r, 10000));  // the estimates settle (the issue counts from 10 s)

      const figures = {};
      const state = {};
      for (const r of [slow, fast]) {
        const v = await inboundVideoOf(r, sender);
        figures[r.name] = { minFps: Infinity, fpsSum: 0, windows: 0, longestGapMs: 0, minWidth: Infinity,
          maxWidth: 0, kbps: 0 };
        state[r.name] = { frames: v.framesDecoded, lastFrameAt: Date.now(), windowFrames: v.framesDecoded,
          windowAt: Date.now(), startBytes: v.bytesReceived, startAt: Date.now() };
      }
      const end = Date.now() + WINDOW_MS;
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, SAMPLE_MS));
        for (const r of [slow, fast]) {
          const v = await inboundVideoOf(r, sender);
          assert.ok(v, `${r.name}: the sender's stream is there`);
          const s = state[r.name];
          const f = figures[r.name];
          const now = Date.now();
          if (v.framesDecoded > s.frames) {
            s.frames = v.framesDecoded;
            s.lastFrameAt = now;
          }
          f.longestGapMs = Math.max(f.longestGapMs, now - s.lastFrameAt);
          f.minWidth = Math.min(f.minWidth, v.frameWidth || 0);
          f.maxWidth = Math.max(f.maxWidth, v.frameWidth || 0);
          if (now - s.windowAt >= 5000) {
            const fps = (v.framesDecoded - s.windowFrames) * 1000 / (now - s.windowAt);
            f.minFps = Math.min(f.minFps, fps);
            f.fpsSum += fps;
            f.windows += 1;
            s.windowFrames = v.framesDecoded;
            s.windowAt = now;
          }
          f.kbps = Math.round((v.bytesReceived - s.startBytes) * 8 / (now - s.startAt));
        }
      }
      const summary = Object.fromEntries(Object.entries(figures).map(([name, f]) => [name, {
        videoKbps: f.kbps, minFps: Number(f.minFps.toFixed(1)), meanFps: Number((f.fpsSum / f.windows).toFixed(1)),
        longestFreezeMs: f.longestGapMs, minWidth: f.minWidth, maxWidth: f.maxWidth }]));
      console.log(`# bottleneck figures over ${WINDOW_MS / 1000} s: ${JSON.stringify(summary)}`);
      console.log(`# the router's last layer decisions:\n${routerLog().split('\n').filter((l) => /now layer/.test(l)).slice(-6).join('\n')}`);
      const slowIn = await inboundVideoOf(slow, sender);
      console.log(`# the constrained receiver's inbound video: ${JSON.stringify(slowIn)}`);
      const s = summary.Slow;
      const q = summary.Fast;
      assert.ok(s.minFps >= 10, `the constrained receiver decoded ${s.minFps} fps in a 5 s window\n${routerLog()}`);
      assert.ok(s.longestFreezeMs <= 1000 + SAMPLE_MS,
        `the constrained receiver went ${s.longestFreezeMs} ms without a frame\n${routerLog()}`);
      assert.ok(s.videoKbps < 500, `the constrained receiver got ${s.videoKbps} kbit/s through 500 kbit/s`);
      assert.ok(s.maxWidth < 640, `the constrained receiver got the low layer (up to ${s.maxWidth} px)`);
      assert.ok(q.minWidth >= 640, `the clean receiver kept the high layer (down to ${q.minWidth} px)\n${routerLog()}`);
      assert.ok(q.minFps >= 10, `the clean receiver decoded ${q.minFps} fps in a 5 s window`);
      for (const p of [sender, slow, fast]) await p.page.evaluate(() => window.sdkTest.leave());
    } catch (e) {
      console.log(routerLog());
      throw e;
    } finally {
      await slowHost.suite('tc', ['qdisc', 'del', 'dev', `vh${index}`, 'root']).catch(() => {});
    }
  });
});
