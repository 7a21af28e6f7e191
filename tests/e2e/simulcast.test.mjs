// Issue 11: simulcast and the SDK's downlink controls with the unmodified amazon-chime-sdk-js.
// - With enableSimulcastForUnifiedPlanChromiumBasedBrowsers, three attendees: the server answers
//   a=simulcast:recv, routes each sender's layers by RID, and every receiver gets at least 640 px wide
//   video from each sender, decoding every second for 30 s.
// - A paused tile (SDK pauseVideoTile: PAUSE) costs no downlink: the receiver's inbound bytes stop
//   growing; after unpauseVideoTile (RESUME) video decodes again within 1 s (the server asks the
//   sender for a key frame).
// Headless Debian Chromium with fake devices; the suite runs inside `unshare -n`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { inboundVideoOf } from '../lib/host-call.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';

let server;
const browsers = [];

async function attendee(name, room, opts = { simulcast: true }) {
  const b = await launchBrowser();
  browsers.push(b);
  await b.page.goto(`${server.url}/`);
  const self = await b.page.evaluate(([n, r, o]) => window.sdkTest.join(n, r, o), [name, room, opts]);
  await waitFor(() => b.page.evaluate(() => window.sdkTest.state.started), {
    timeoutMs: 40000, what: `${name}: audioVideoDidStart (logs: ${b.logs.slice(-5).join(' | ')})`,
  });
  return { ...b, name, self, stats: () => b.page.evaluate(() => window.sdkTest.stats()),
    state: () => b.page.evaluate(() => window.sdkTest.state) };
}


// The router's layer and subscription decisions, for a failure's message.
const routerLog = () => server.logs.join('').split('\n')
  .filter((l) => /layer|asks for|shows stream|publishes|silent|forwards/.test(l)).slice(-40).join('\n');

before(async () => {
  const webDir = await buildSdkPage();
  server = await startServer({ args: ['--web-dir', webDir], logLevel: 'info' });
});

after(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
});

describe('simulcast and downlink controls with the unmodified SDK', () => {
  test('three simulcast attendees: each receiver gets >= 640 px from each sender, decoding for 30 s', async () => {
    const room = `simulcast-${Date.now()}`;
    const people = [];
    // The SDK's AllHighestVideoBandwidthPolicy (an app setting; the SDK is unmodified): its default
    // priority policy steps down on Chromium's own receive estimate, which reads 200-300 kbit/s on a
    // loaded machine until a server-side estimator (issue 11 part B) sends BITRATES' available bitrate.
    for (const name of ['Sia', 'Sol', 'Sam']) people.push(await attendee(name, room, { simulcast: true, allHighest: true }));
    const pairs = [];
    for (const a of people) for (const b of people) if (a !== b) pairs.push([a, b]);

    // The answer takes the offered layers.
    const sdps = (await people[0].state()).sdp;
    assert.ok(sdps.some((d) => d.type === 'offer' && /a=simulcast:send/.test(d.sdp)), 'the SDK offered simulcast');
    assert.ok(sdps.some((d) => d.type === 'answer' && /a=simulcast:recv low;mid;hi/.test(d.sdp)),
      'our answer receives the three layers');

    // Each sender's high layer reaches each receiver (a warm-up: the SDK picks its layers).
    for (const [a, b] of pairs) {
      await waitFor(async () => ((await inboundVideoOf(a, b))?.frameWidth || 0) >= 640,
        { timeoutMs: 45000, what: `${a.name}: >= 640 px from ${b.name} (logs: ${a.logs.slice(-3).join(' | ')})` });
    }
    // The start settles first (the SDK re-subscribes as INDEX lists the layers; each new stream starts
    // at a key frame), as the bottleneck case also counts from 10 s on.
    await new Promise((r) => setTimeout(r, 10000));
    // 30 s, sampled every 500 ms: each stream stays >= 640 px wide and never goes 1.5 s without a
    // new decoded frame (a freeze).
    // One getStats per browser per sample (its inbound streams by sender and its own layers): the
    // sampling itself must not load three browsers sharing two cores.
    const snapshot = async (p) => p.page.evaluate(async () => {
      const s = await window.sdkTest.stats();
      const tiles = window.sdkTest.state.tiles;
      const inbound = {};
      for (const t of Object.keys(tiles)) {
        if (tiles[t].local) continue;
        const track = document.getElementById(`tile-${t}`)?.srcObject?.getVideoTracks()[0];
        const v = track && s.video.find((x) => x.track === track.id);
        if (v) inbound[tiles[t].attendeeId] = v;
      }
      const out = s.outboundVideo.map((o) => `${o.rid}:${o.framesEncoded}/${o.targetBitrate}/${o.qualityLimitationReason}`).join(' ');
      return { inbound, out: `${out} bwe=${s.pair?.availableOutgoingBitrate}` };
    });
    const last = new Map();
    const now = Date.now();
    for (const [a, b] of pairs) last.set(`${a.name}<-${b.name}`, { frames: (await inboundVideoOf(a, b)).framesDecoded, at: now });
    const widths = new Map();
    const timeline = new Map();  // per pair: what each sample saw (printed when one fails)
    const end = Date.now() + 30000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 500));
      const snaps = new Map();
      for (const p of people) snaps.set(p, { ...(await snapshot(p)), at: Date.now() });
      for (const [a, b] of pairs) {
        const key = `${a.name}<-${b.name}`;
        const { at } = snaps.get(a);
        const v = snaps.get(a).inbound[b.self.attendeeId];
        const seen = last.get(key);
        assert.ok(v, `${key}: the stream is there`);
        if (!timeline.has(key)) timeline.set(key, []);
        timeline.get(key).push(`${new Date(at).toISOString().slice(17, 23)} f=${v.framesDecoded}/${v.framesReceived} `
          + `w=${v.frameWidth} p=${v.packetsReceived} drop=${v.framesDropped} key=${v.keyFramesDecoded} `
          + `jb=${v.jitterBufferDelay?.toFixed(1)} | ${snaps.get(b).out}`);
        if (v.framesDecoded > seen.frames) last.set(key, { frames: v.framesDecoded, at });
        if (at - last.get(key).at > 1500 || v.frameWidth < 640) {
          console.log(routerLog(), JSON.stringify(await a.stats()), timeline.get(key).slice(-12).join('\n'));
        }
        assert.ok(at - last.get(key).at <= 1500, `${key}: no frame decoded for ${at - seen.at} ms`);
        assert.ok(v.frameWidth >= 640, `${key}: ${v.frameWidth} px wide`);
        widths.set(key, v.frameWidth);
      }
    }
    console.log('simulcast widths after 30 s:', Object.fromEntries(widths));
    console.log(routerLog());
    for (const p of people) await p.page.evaluate(() => window.sdkTest.leave());
  });

  test('a paused tile costs no downlink, and decodes again within 1 s of resume', async () => {
    const room = `pause-${Date.now()}`;
    const sender = await attendee('Pia', room);
    const receiver = await attendee('Rex', room);
    await waitFor(async () => ((await inboundVideoOf(receiver, sender))?.framesDecoded || 0) > 30,
      { timeoutMs: 40000, what: 'Rex decodes Pia' });
    await new Promise((r) => setTimeout(r, 3000));  // the senders' layers settle for two people
    const mid = (await inboundVideoOf(receiver, sender)).mid;

    assert.equal(await receiver.page.evaluate((id) => window.sdkTest.pauseTileOf(id), sender.self.attendeeId), true);
    await new Promise((r) => setTimeout(r, 1500));  // what was in flight (and its repairs) arrives
    // The inbound video of the paused tile's mid (a paused tile's element may be unbound).
    const inboundBytes = async () => (await receiver.stats()).video.filter((v) => v.mid === mid)
      .reduce((n, v) => n + (v.bytesReceived || 0), 0);
    const pausedAt = await inboundBytes();
    await new Promise((r) => setTimeout(r, 3000));
    const stillPaused = await inboundBytes();
    assert.equal(stillPaused, pausedAt, `inbound bytes grew by ${stillPaused - pausedAt} while paused`);
    // The sender still sends (only this receiver's forwarding stopped).
    const out1 = (await sender.stats()).outboundVideo.reduce((n, o) => n + (o.bytesSent || 0), 0);
    await new Promise((r) => setTimeout(r, 500));
    const out2 = (await sender.stats()).outboundVideo.reduce((n, o) => n + (o.bytesSent || 0), 0);
    assert.ok(out2 > out1, 'the sender keeps sending');

    const resumeMs = await receiver.page.evaluate((id) => window.sdkTest.resumeTileOf(id), sender.self.attendeeId);
    console.log(`decoding again ${Math.round(resumeMs)} ms after resume`);
    assert.ok(resumeMs >= 0 && resumeMs <= 1000, `decoded again after ${resumeMs} ms`);
    for (const p of [sender, receiver]) await p.page.evaluate(() => window.sdkTest.leave());
  });
});
