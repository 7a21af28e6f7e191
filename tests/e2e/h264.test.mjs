// Issue 11, codecs: H.264 constrained baseline through the SFU with the unmodified amazon-chime-sdk-js.
//  - Two Chromium attendees whose app prefers H.264 (setVideoCodecSendPreferences): each sends H.264
//    (outbound-rtp codec) and decodes the other's H.264 (inbound-rtp codec video/H264, frames growing).
//    INDEX lists VP8 and H.264 CBP in supported_receive_codec_intersection; the camera section of our
//    answer is sendrecv with VP8 then H.264, and the SDK puts its preference first.
//  - A Firefox attendee joins (Debian's firefox-esr has no OpenH264: its offers list VP8 only): the
//    intersection becomes [VP8], both Chromium SDKs renegotiate on their own and send VP8, Firefox
//    decodes both, and the Chromium attendees keep decoding each other. When Firefox leaves, the
//    intersection has H.264 again and the SDKs go back to it.
//
//  - Without MEDICALL_VIDEO_H264 (the default) the same two attendees send and decode VP8: INDEX lists VP8
//    only and the camera answer has no H.264, so no SDK preference can pick it.
//
// Runs inside `unshare -n` like the others; Firefox needs the veth and default route of lib/firefox.mjs.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { TEST_HOST_ADDRESS, ensureDefaultRoute, launchFirefox, removeDefaultRoute } from '../lib/firefox.mjs';
import { inboundVideoOf } from '../lib/host-call.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let defaultServer;
const browsers = [];

async function attendee(kind, name, room, opts = {}, on = server) {
  const b = kind === 'firefox' ? await launchFirefox() : await launchBrowser();
  browsers.push(b);
  await b.page.goto(`${on.url}/`);
  const self = await b.page.evaluate(([n, r, o]) => window.sdkTest.join(n, r, o), [name, room, opts]);
  const a = {
    ...b,
    kind,
    name,
    self,
    state: () => b.page.evaluate(() => JSON.parse(JSON.stringify(window.sdkTest.state))),
    stats: () => b.page.evaluate(() => window.sdkTest.stats()),
  };
  await waitFor(async () => (await a.state()).started, {
    timeoutMs: 30000, what: `${name}: audioVideoDidStart (logs: ${b.logs.slice(-6).join(' | ')})`,
  });
  return a;
}

// `a` decodes `other`'s video in `mime` (inbound-rtp codec), and its frames keep growing.
async function decodes(a, other, mime) {
  const first = await waitFor(async () => {
    const v = await inboundVideoOf(a, other);
    return v && v.codec === mime && v.framesDecoded > 0 ? v : null;
  }, { timeoutMs: 30000, what: `${a.name}: ${other.name}'s video decoded as ${mime}` });
  await waitFor(async () => {
    const v = await inboundVideoOf(a, other);
    return v && v.codec === mime && v.framesDecoded > first.framesDecoded + 20;
  }, { timeoutMs: 20000, what: `${a.name}: ${other.name}'s ${mime} frames growing` });
}

async function sends(a, mime) {
  await waitFor(async () => (await a.stats()).outboundVideo.some((o) => o.codec === mime && o.framesEncoded > 0), {
    timeoutMs: 30000, what: `${a.name}: sends ${mime}`,
  });
}

before(async () => {
  ensureDefaultRoute();
  const webDir = await buildSdkPage();
  server = await startServer({
    args: ['--web-dir', webDir, '--public-ip', TEST_HOST_ADDRESS], env: { MEDICALL_VIDEO_H264: '1' },
  });
  defaultServer = await startServer({ args: ['--web-dir', webDir] });
});

afterEach(async () => {
  for (const b of browsers.splice(0)) await b.close();
});

after(async () => {
  await server?.stop();
  await defaultServer?.stop();
  removeDefaultRoute();
});

describe('H.264 through the SFU', () => {
  test('two Chromium attendees preferring H.264 send and decode H.264; a Firefox joiner moves them to VP8', async () => {
    const room = `h264-${Date.now()}`;
    const opts = { videoCodecs: ['h264', 'vp8'] };
    const alice = await attendee('chromium', 'Alice', room, opts);
    const bob = await attendee('chromium', 'Bob', room, opts);

    await sends(alice, 'video/H264');
    await sends(bob, 'video/H264');
    await decodes(alice, bob, 'video/H264');
    await decodes(bob, alice, 'video/H264');

    // What the SDK was answered: its camera section sendrecv, VP8 then H.264 CBP packetization-mode 1.
    const answers = (await alice.state()).sdp.filter((d) => d.type === 'answer').map((d) => d.sdp);
    const camera = answers.at(-1).split(/\r\n(?=m=)/).find((s) => s.startsWith('m=video') && /a=sendrecv/.test(s));
    assert.ok(camera, 'a sendrecv camera section in the answer');
    assert.match(camera, /a=fmtp:\d+ level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f/);
    assert.doesNotMatch(camera, /a=msid:|a=ssrc:/, 'nothing is sent on the camera section');
    // ...and the SDK makes no tile of it: one remote tile each, the other's.
    for (const a of [alice, bob]) {
      assert.equal(await a.page.evaluate(() => window.sdkTest.sdkRemoteTileCount()), 1, `${a.name}: remote tiles`);
    }

    // Firefox cannot decode H.264 here: everyone moves to VP8 through INDEX and the SDK's renegotiation.
    const fox = await attendee('firefox', 'Fox', room);
    await sends(alice, 'video/VP8');
    await sends(bob, 'video/VP8');
    await decodes(fox, alice, 'video/VP8');
    await decodes(fox, bob, 'video/VP8');
    await decodes(alice, bob, 'video/VP8');
    await decodes(bob, alice, 'video/VP8');
    await decodes(alice, fox, 'video/VP8');
    assert.equal(await alice.page.evaluate(() => window.sdkTest.sdkRemoteTileCount()), 2, 'Alice: Bob and Fox');

    // Firefox leaves: H.264 is back in the intersection and the SDKs return to their preference.
    const f = browsers.splice(browsers.indexOf(fox), 1)[0];
    await f.page.evaluate(() => window.sdkTest.leave?.()).catch(() => {});
    await f.close();
    await sends(alice, 'video/H264');
    await decodes(bob, alice, 'video/H264');

    for (const a of [alice, bob]) {
      const s = await a.state();
      assert.equal(s.stoppedName, null, `${a.name} stopped: ${s.stoppedName}`);
      assert.deepEqual(s.connecting.map((c) => c.reconnecting), [false], `${a.name} never reconnected`);
    }
  });

  test('without MEDICALL_VIDEO_H264 the same attendees run VP8', async () => {
    const room = `vp8-${Date.now()}`;
    const opts = { videoCodecs: ['h264', 'vp8'] };
    const alice = await attendee('chromium', 'Alice', room, opts, defaultServer);
    const bob = await attendee('chromium', 'Bob', room, opts, defaultServer);
    await sends(alice, 'video/VP8');
    await sends(bob, 'video/VP8');
    await decodes(alice, bob, 'video/VP8');
    await decodes(bob, alice, 'video/VP8');
    for (const a of [alice, bob]) {
      const s = await a.stats();
      assert.ok(!s.outboundVideo.some((o) => o.codec === 'video/H264'), `${a.name} never sends H.264`);
      const answers = (await a.state()).sdp.filter((d) => d.type === 'answer').map((d) => d.sdp);
      assert.ok(answers.length > 0);
      for (const sdp of answers) assert.doesNotMatch(sdp, /a=rtpmap:\d+ H264\//, `${a.name}: no H.264 answered`);
    }
  });
});
