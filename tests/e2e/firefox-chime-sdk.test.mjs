// Issue 15: Firefox ESR (Debian's firefox-esr, over WebDriver BiDi with puppeteer-core) and Chromium in
// one meeting through the unmodified amazon-chime-sdk-js: both start, each decodes the other's video,
// Firefox never reconnects once the call runs, receives the mixed audio, presence, mute and chat;
// camera off and on in Firefox; three people with two Firefox attendees; Firefox's RTCP and media
// (our PLI and receiver reports, its rate and frame size, our NACKs and its RTX under 10% loss, and
// the reverse: its NACKs and our RTX under 10% download loss)
// measured with getStats on both sides; a Chromium attendee with the SDK's simulcast option gets
// a=simulcast:recv and Firefox decodes its camera.
//
// The suite runs inside `unshare -n` like the others. Firefox gathers no ICE candidates in a namespace
// without a default route, so the test gives its namespace a veth pair and a default route via the
// pair's far end (lib/firefox.mjs), and the server advertises the veth address. Nothing leaves the
// namespace.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { TEST_HOST_ADDRESS, ensureDefaultRoute, launchFirefox, removeDefaultRoute } from '../lib/firefox.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';

let server;
const browsers = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One attendee on the SDK test page: kind 'firefox' or 'chromium'.
async function attendee(kind, name, room, opts = {}) {
  const b = kind === 'firefox' ? await launchFirefox() : await launchBrowser();
  browsers.push(b);
  await b.page.goto(`${server.url}/`);
  const self = await b.page.evaluate(([n, r, o]) => window.sdkTest.join(n, r, o), [name, room, opts]);
  const a = {
    ...b,
    kind,
    name,
    self,
    state: () => b.page.evaluate(() => JSON.parse(JSON.stringify(window.sdkTest.state))),
    stats: () => b.page.evaluate(() => window.sdkTest.stats()),
  };
  return a;
}

const recent = (a) => a.logs.slice(-6).join(' | ');

async function started(a) {
  await waitFor(async () => (await a.state()).started, {
    timeoutMs: 30000, what: `${a.name}: audioVideoDidStart (logs: ${recent(a)})`,
  });
}

// framesDecoded of the inbound video the remote tile of `other` is bound to (matched by the tile's
// stream: one inbound video per received stream).
async function decodedFrom(a) {
  const s = await a.stats();
  return s.video.reduce((sum, v) => sum + (v.framesDecoded || 0), 0);
}

// a shows a remote tile for `other` and the decoded frame count keeps growing.
async function seesVideoOf(a, other) {
  const tile = await waitFor(async () => {
    const tiles = await a.page.evaluate(() => window.sdkTest.remoteTiles());
    return tiles.find((t) => t.attendeeId === other.self.attendeeId);
  }, { timeoutMs: 30000, what: `${a.name}: a remote tile for ${other.name} (logs: ${recent(a)})` });
  assert.equal(tile.externalUserId, other.self.externalUserId);
  const first = await waitFor(() => decodedFrom(a), { timeoutMs: 20000, what: `${a.name}: decoded frames` });
  await waitFor(async () => (await decodedFrom(a)) > first + 20, {
    timeoutMs: 20000, what: `${a.name}: framesDecoded growing (from ${other.name})`,
  });
  return tile;
}

// No audioVideoDidStartConnecting(reconnecting=true) and no stop: the call never restarted.
async function neverReconnected(a) {
  const s = await a.state();
  assert.deepEqual(s.connecting.map((c) => c.reconnecting), [false], `${a.name}: connecting events ${JSON.stringify(s.connecting)}`);
  assert.equal(s.stoppedName, null, `${a.name}: stopped with ${s.stoppedName}`);
}

// Energy and packets of the single inbound audio track received over `ms`.
async function audioOver(a, ms) {
  const total = async () => {
    const s = await a.stats();
    return {
      energy: s.audio.reduce((sum, x) => sum + (x.totalAudioEnergy || 0), 0),
      packets: s.audio.reduce((sum, x) => sum + (x.packetsReceived || 0), 0),
      tracks: s.audio.length,
    };
  };
  const first = await total();
  await sleep(ms);
  const second = await total();
  return { energy: second.energy - first.energy, packets: second.packets - first.packets, tracks: second.tracks };
}

// A Firefox and a Chromium attendee in a new room, `watcher` decoding `watched`'s video; then 10% of
// Firefox's media packets dropped in one direction (nftables on Firefox's side of the selected pair:
// 'upload' toward our media port, 'download' from it). Returns the two and the undo of the rule.
async function callWithFirefoxLoss(roomPrefix, direction) {
  const room = `${roomPrefix}-${Date.now()}`;
  const fox = await attendee('firefox', 'Faye', room);
  const chrome = await attendee('chromium', 'Cole', room);
  await Promise.all([started(fox), started(chrome)]);
  if (direction === 'upload') await seesVideoOf(chrome, fox);
  else await seesVideoOf(fox, chrome);
  const local = (await fox.stats()).localCandidate;
  assert.ok(local?.port, `Firefox's selected local candidate: ${JSON.stringify(local)}`);
  const match = direction === 'upload'
    ? `udp sport ${local.port} udp dport ${server.mediaPort}`
    : `udp sport ${server.mediaPort} udp dport ${local.port}`;
  const table = `medicallff${direction}`;
  const rules = [
    `table inet ${table} {`,
    ` chain filter {`,
    `  type filter hook ${direction === 'upload' ? 'output' : 'input'} priority 0;`,
    `  ${match} numgen random mod 100 < 10 drop`,
    ' }',
    '}',
  ].join('\n');
  execFileSync('nft', ['-f', '-'], { input: rules });
  return { fox, chrome, undo: () => execFileSync('nft', ['delete', 'table', 'inet', table]) };
}

function sum(list, key) {
  return list.reduce((s, x) => s + (x[key] || 0), 0);
}

before(async () => {
  ensureDefaultRoute();
  const webDir = await buildSdkPage();
  server = await startServer({ args: ['--web-dir', webDir, '--public-ip', TEST_HOST_ADDRESS] });
});

// Each test closes its browsers: five headless browsers left in calls would starve the next test of CPU.
afterEach(async () => {
  for (const b of browsers.splice(0)) await b.close();
});

after(async () => {
  await server?.stop();
  removeDefaultRoute();
});

describe('Firefox ESR with the unmodified amazon-chime-sdk-js against MediCall', () => {
  test('Firefox and Chromium: video both ways, mixed audio, presence, chat, mute, no reconnect', async () => {
    const room = `ff-chromium-${Date.now()}`;
    const fox = await attendee('firefox', 'Fox', room);
    const chrome = await attendee('chromium', 'Chris', room);
    await Promise.all([started(fox), started(chrome)]);

    await seesVideoOf(fox, chrome);
    await seesVideoOf(chrome, fox);

    // The answers Firefox got: its port-0 bundle-only sections answered live, VP8 chosen by name.
    const answers = (await fox.state()).sdp.filter((d) => d.type === 'answer').map((d) => d.sdp);
    assert.ok(answers.length >= 2, 'Firefox renegotiated at least once');
    for (const sdp of answers) {
      assert.doesNotMatch(sdp, /^m=video 0 /m, 'no video section of ours on port 0');
      assert.doesNotMatch(sdp, /VP9|a=bundle-only/);
    }

    // Presence with the right ids, both ways.
    for (const [a, other] of [[fox, chrome], [chrome, fox]]) {
      const p = await waitFor(async () => (await a.state()).presence.find(
        (e) => e.attendeeId === other.self.attendeeId && e.present), { what: `${a.name}: presence of ${other.name}` });
      assert.equal(p.externalUserId, other.self.externalUserId);
    }

    // Chat both ways.
    await chrome.page.evaluate(() => window.sdkTest.send('hello fox'));
    const toFox = await waitFor(async () => (await fox.state()).messages.find((m) => m.text === 'hello fox'),
      { what: 'Fox: chat from Chris' });
    assert.equal(toFox.senderAttendeeId, chrome.self.attendeeId);
    await fox.page.evaluate(() => window.sdkTest.send('hello chris'));
    const toChrome = await waitFor(async () => (await chrome.state()).messages.find((m) => m.text === 'hello chris'),
      { what: 'Chris: chat from Fox' });
    assert.equal(toChrome.senderExternalUserId, fox.self.externalUserId);

    // Firefox receives the server's mix: Chromium's fake microphone beeps into it. Muting Chromium
    // silences the mix (measured from Firefox's received energy), and Firefox sees the mute flag.
    const heard = await audioOver(fox, 3000);
    assert.equal(heard.tracks, 1, 'one mixed audio track');
    assert.ok(heard.packets > 100, `Fox received ${heard.packets} audio packets in 3 s`);
    assert.ok(heard.energy > 0.01, `Fox heard energy ${heard.energy}`);
    await chrome.page.evaluate(() => window.sdkTest.mute());
    await waitFor(async () => (await fox.state()).volumes[chrome.self.attendeeId]?.muted === true,
      { what: 'Fox: Chris muted' });
    await sleep(1000);
    const silent = await audioOver(fox, 3000);
    assert.ok(silent.energy < heard.energy / 10, `muted mix energy ${silent.energy} vs ${heard.energy}`);
    await chrome.page.evaluate(() => window.sdkTest.unmute());
    await waitFor(async () => (await fox.state()).volumes[chrome.self.attendeeId]?.muted === false,
      { what: 'Fox: Chris unmuted' });
    // And the other way: Firefox's mute reaches Chromium; Chromium hears Firefox's fake tone.
    const chromeHeard = await audioOver(chrome, 3000);
    assert.ok(chromeHeard.energy > 0.01, `Chris heard energy ${chromeHeard.energy}`);
    await fox.page.evaluate(() => window.sdkTest.mute());
    await waitFor(async () => (await chrome.state()).volumes[fox.self.attendeeId]?.muted === true,
      { what: 'Chris: Fox muted' });
    await fox.page.evaluate(() => window.sdkTest.unmute());

    // RTCP and media as Firefox sends them, from both ends' getStats: Firefox's video reaches Chromium
    // at full size and a healthy rate (its sender follows our REMB and receiver reports; we do not
    // negotiate transport-cc), Firefox answered the keyframe request we sent when Chromium subscribed
    // (pliCount), and our receiver reports reach it (remote-inbound-rtp round-trip time).
    const foxOut1 = await fox.stats();
    const chromeIn1 = await chrome.stats();
    await sleep(5000);
    const foxOut2 = await fox.stats();
    const chromeIn2 = await chrome.stats();
    const sentKbps = ((sum(foxOut2.outboundVideo, 'bytesSent') - sum(foxOut1.outboundVideo, 'bytesSent')) * 8) / 5000;
    const receivedKbps = ((sum(chromeIn2.video, 'bytesReceived') - sum(chromeIn1.video, 'bytesReceived')) * 8) / 5000;
    assert.equal(foxOut2.outboundVideo.length, 1, 'Firefox sends one video encoding');
    assert.ok(sentKbps > 100, `Firefox sends video at ${sentKbps.toFixed(0)} kbit/s`);
    assert.ok(receivedKbps > sentKbps * 0.8, `Chromium receives ${receivedKbps.toFixed(0)} of ${sentKbps.toFixed(0)} kbit/s`);
    assert.ok(sum(foxOut2.outboundVideo, 'pliCount') >= 1, 'Firefox counted our PLI');
    assert.equal(chromeIn2.video[0].frameWidth, 960, 'Chromium decodes Firefox at 960 wide');
    await waitFor(async () => (await fox.stats()).remoteInboundVideo.some((r) => r.roundTripTime !== undefined),
      { what: 'Fox: our receiver reports (remote-inbound-rtp roundTripTime)' });
    // The other way: Chromium's video reaches Firefox.
    const foxIn = (await fox.stats()).video;
    assert.equal(foxIn.length, 1);
    assert.equal(foxIn[0].frameWidth, 960, 'Firefox decodes Chromium at 960 wide');
    assert.ok(foxIn[0].framesDecoded > 100);

    await neverReconnected(fox);
    await neverReconnected(chrome);
    await fox.page.evaluate(() => window.sdkTest.leave());
    const left = await waitFor(async () => (await chrome.state()).presence.find(
      (e) => e.attendeeId === fox.self.attendeeId && !e.present), { what: 'Chris: Fox left' });
    assert.equal(left.dropped, false);
    await chrome.page.evaluate(() => window.sdkTest.leave());
  });

  test('Firefox turns its camera off and on again without reconnecting', async () => {
    const room = `ff-camera-${Date.now()}`;
    const fox = await attendee('firefox', 'Vixen', room);
    const chrome = await attendee('chromium', 'Carl', room);
    await Promise.all([started(fox), started(chrome)]);
    await seesVideoOf(chrome, fox);

    await fox.page.evaluate(() => window.sdkTest.stopVideo());
    await waitFor(async () => {
      const tiles = await chrome.page.evaluate(() => window.sdkTest.remoteTiles());
      return !tiles.some((t) => t.attendeeId === fox.self.attendeeId);
    }, { timeoutMs: 30000, what: "Carl: Vixen's tile gone" });

    const before = await decodedFrom(chrome);
    await fox.page.evaluate(() => window.sdkTest.startVideo());
    await waitFor(async () => {
      const tiles = await chrome.page.evaluate(() => window.sdkTest.remoteTiles());
      return tiles.some((t) => t.attendeeId === fox.self.attendeeId);
    }, { timeoutMs: 30000, what: "Carl: Vixen's tile back" });
    await waitFor(async () => (await decodedFrom(chrome)) > before + 20,
      { timeoutMs: 30000, what: "Carl: Vixen's video decoding again" });
    // Firefox still receives Chromium through all of it.
    await seesVideoOf(fox, chrome);
    await neverReconnected(fox);
    await neverReconnected(chrome);
  });

  test('three people, two of them in Firefox, each see the two others', async () => {
    const room = `ff-three-${Date.now()}`;
    const f1 = await attendee('firefox', 'Fern', room);
    const f2 = await attendee('firefox', 'Finn', room);
    const c = await attendee('chromium', 'Cleo', room);
    await Promise.all([started(f1), started(f2), started(c)]);
    for (const [x, y] of [[f1, f2], [f1, c], [f2, f1], [f2, c], [c, f1], [c, f2]]) {
      await seesVideoOf(x, y);
    }
    // Each receives two videos, each decoding.
    for (const x of [f1, f2, c]) {
      const video = await waitFor(async () => {
        const v = (await x.stats()).video.filter((s) => (s.framesDecoded || 0) > 0);
        return v.length === 2 ? v : null;
      }, { timeoutMs: 20000, what: `${x.name}: two inbound videos decoding` });
      assert.equal(video.length, 2);
    }
    for (const x of [f1, f2, c]) await neverReconnected(x);
  });

  test('Firefox under 10% upstream loss: our NACKs, its RTX; Chromium keeps decoding', async () => {
    const { fox, chrome, undo } = await callWithFirefoxLoss('ff-loss', 'upload');
    try {
      const out1 = await fox.stats();
      await sleep(8000);
      const out2 = await fox.stats();
      const nacks = sum(out2.outboundVideo, 'nackCount') - sum(out1.outboundVideo, 'nackCount');
      const resent = sum(out2.outboundVideo, 'retransmittedPacketsSent') - sum(out1.outboundVideo, 'retransmittedPacketsSent');
      assert.ok(nacks > 0, `Firefox received ${nacks} NACKs from us`);
      assert.ok(resent > 0, `Firefox retransmitted ${resent} packets (RTX)`);
      const before = await decodedFrom(chrome);
      await sleep(3000);
      const after3s = await decodedFrom(chrome);
      assert.ok(after3s - before > 30, `Chromium decoded ${after3s - before} frames in 3 s under loss`);
    } finally {
      undo();
    }
    await neverReconnected(fox);
  });

  // Firefox as the receiver under 10% download loss: it NACKs, our RTX repairs the stream and it keeps
  // decoding. Before RTX carried our MID, Firefox's BUNDLE filter dropped every RTX packet (it passes a
  // packet without a MID only from an SSRC it has seen with one) and decoded 0-5 frames in 3 s.
  test('Firefox under 10% download loss: it NACKs, our RTX repairs, it keeps decoding', async () => {
    const { fox, undo } = await callWithFirefoxLoss('ff-dl', 'download');
    try {
      await sleep(5000);  // past the first losses and the NACK round trips they start
      const a = await fox.stats();
      await sleep(3000);
      const b = await fox.stats();
      const d = (k) => sum(b.video, k) - sum(a.video, k);
      const text = `decoded ${d('framesDecoded')}, dropped ${d('framesDropped')}, NACKs ${d('nackCount')}, ` +
        `PLIs ${d('pliCount')}, lost ${d('packetsLost')} of ${d('packetsReceived')} received`;
      console.log(`Firefox receiver, 3 s under 10% download loss: ${text}`);
      assert.ok(d('nackCount') > 0, `Firefox sent NACKs under loss (${text})`);
      assert.ok(d('framesDecoded') > 30, `Firefox decoded > 30 frames in 3 s under loss (${text})`);
    } finally {
      undo();
    }
    await neverReconnected(fox);
  });

  // Issue 11 (was issue 9 item 3, which refused simulcast: Chromium then sent no camera video at all):
  // the SDK's simulcast option is answered with a=simulcast:recv, the layers are routed by RID and a
  // Firefox receiver decodes the Chromium camera; the call stays up.
  test("a Chromium attendee with the SDK's simulcast option is answered with simulcast; Firefox sees it", async () => {
    const room = `ff-simulcast-${Date.now()}`;
    const fox = await attendee('firefox', 'Flo', room);
    const chrome = await attendee('chromium', 'Cyd', room, { simulcast: true });
    await Promise.all([started(fox), started(chrome)]);
    await seesVideoOf(chrome, fox);
    await seesVideoOf(fox, chrome);
    const sdps = (await chrome.state()).sdp;
    assert.ok(sdps.some((d) => d.type === 'offer' && /a=simulcast:send/.test(d.sdp)), 'Chromium offered simulcast');
    const answers = sdps.filter((x) => x.type === 'answer');
    assert.ok(answers.length >= 2);
    assert.ok(answers.some((d) => /a=simulcast:recv low;mid;hi/.test(d.sdp) && /a=rid:hi recv/.test(d.sdp)),
      'our answer receives the layers');
    // Audio flows both ways through the mixer, and nobody reconnects.
    assert.ok((await audioOver(fox, 3000)).energy > 0.01, 'Flo hears Cyd');
    assert.ok((await audioOver(chrome, 3000)).energy > 0.01, 'Cyd hears Flo');
    await neverReconnected(chrome);
    await neverReconnected(fox);
  });
});
