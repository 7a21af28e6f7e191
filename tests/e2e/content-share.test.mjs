// Issue 16: content share (screen share) with the official, unmodified amazon-chime-sdk-js. The
// sharer's SDK opens a second signaling session as "<attendee>#content" (join token
// "<token>#content"); the server admits it, mixes its audio, announces it to everyone (the sharer's
// own session too: contentShareDidStart) and forwards its video as one more INDEX source. At most two
// shares run at once; a third gets AUDIO_STATUS 409 (AudioCallAtCapacity).
// The shared "screen" is an animated 1280x720 canvas (startContentShare(canvas.captureStream())).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';

// MeetingSessionStatusCode.AudioCallAtCapacity (AUDIO_STATUS 409).
const kAudioCallAtCapacity = 4;

let server;
const browsers = [];

async function attendee(name, room, opts = {}) {
  const b = await launchBrowser();
  browsers.push(b);
  await b.page.goto(`${server.url}/`);
  const self = await b.page.evaluate(([n, r, o]) => window.sdkTest.join(n, r, o), [name, room, opts]);
  await waitFor(() => b.page.evaluate(() => window.sdkTest.state.started), {
    timeoutMs: 30000, what: `${name}: audioVideoDidStart (logs: ${b.logs.slice(-5).join(' | ')})`,
  });
  return { ...b, name, self, state: () => b.page.evaluate(() => window.sdkTest.state) };
}

// Starts sharing an animated 1280x720 canvas (with tone=true also a 440 Hz tone as the screen's
// audio; without, the SDK sends synthesized silence); window.contentTest records what the SDK reports.
async function startCanvasShare(a, { tone = false } = {}) {
  await a.page.evaluate(async (withTone) => {
    const canvas = document.createElement('canvas');
    canvas.width = 1280;
    canvas.height = 720;
    document.body.appendChild(canvas);
    const ctx = canvas.getContext('2d');
    let n = 0;
    const draw = () => {
      n += 1;
      ctx.fillStyle = `hsl(${(n * 7) % 360} 60% 70%)`;
      ctx.fillRect(0, 0, 1280, 720);
      ctx.fillStyle = '#123';
      for (let i = 0; i < 48; i++) ctx.fillRect((i * 97 + n * 9) % 1260, (i * 61) % 700, 24, 24);
      ctx.font = '96px sans-serif';
      ctx.fillText(`slide ${n}`, 80 + ((n * 11) % 700), 360);
    };
    draw();
    const record = { started: 0, stopped: 0, status: null, timer: setInterval(draw, 66) };
    window.contentTest = record;
    const session = window.sdkTest.session();
    session.audioVideo.addContentShareObserver({
      contentShareDidStart: () => { record.started += 1; },
      contentShareDidStop: () => { record.stopped += 1; clearInterval(record.timer); },
    });
    // The content client's own controller: why it stopped (e.g. 4 = AudioCallAtCapacity).
    session.contentShare.contentAudioVideo.addObserver({
      audioVideoDidStop: (status) => { record.status = status.statusCode(); },
    });
    const stream = canvas.captureStream(15);
    if (withTone) {
      const audio = new AudioContext();
      const osc = audio.createOscillator();
      const out = audio.createMediaStreamDestination();
      osc.frequency.value = 440;
      osc.connect(out);
      osc.start();
      stream.addTrack(out.stream.getAudioTracks()[0]);
    }
    await session.audioVideo.startContentShare(stream);
  }, tone);
}

// Audio energy `a` receives (the server's mix for it) over `ms`.
async function audioEnergyOver(a, ms) {
  const energy = async () => (await a.page.evaluate(() => window.sdkTest.stats())).audio
    .reduce((sum, s) => sum + (s.totalAudioEnergy || 0), 0);
  const e0 = await energy();
  await new Promise((r) => setTimeout(r, ms));
  return (await energy()) - e0;
}

const contentState = (a) => a.page.evaluate(() => {
  const { started, stopped, status } = window.contentTest;
  return { started, stopped, status };
});

// The remote tile of `id` as `a` sees it, with its <video>'s decoded size and frame count.
const tileOf = (a, id) => a.page.evaluate((attendeeId) => {
  const entry = Object.entries(window.sdkTest.state.tiles)
    .find(([, t]) => t.attendeeId === attendeeId && !t.local && t.active);
  if (!entry) return null;
  const el = document.getElementById(`tile-${entry[0]}`);
  return { tileId: Number(entry[0]), ...entry[1], width: el?.videoWidth ?? 0, height: el?.videoHeight ?? 0,
    frames: el?.getVideoPlaybackQuality().totalVideoFrames ?? 0 };
}, id);

// Outbound video of the sharer's content peer connection (PLIs it received, frames sent).
const contentOutbound = (a) => a.page.evaluate(async () => {
  const report = await window.sdkTest.session().contentShare.contentAudioVideo.getRTCPeerConnectionStats();
  let out = null;
  report?.forEach((s) => {
    if (s.type === 'outbound-rtp' && s.kind === 'video') out = { pliCount: s.pliCount, framesEncoded: s.framesEncoded };
  });
  return out;
});

async function framesGrow(a, id) {
  const first = (await tileOf(a, id))?.frames ?? 0;
  await waitFor(async () => ((await tileOf(a, id))?.frames ?? 0) > first + 10,
    { timeoutMs: 20000, what: `${a.name}: frames of ${id} growing` });
}

before(async () => {
  server = await startServer({ args: ['--web-dir', await buildSdkPage()] });
});

after(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
});

describe('content share with the unmodified amazon-chime-sdk-js', () => {
  test('a shared 1280x720 canvas reaches the other as a content tile; stop removes it and keeps the camera', async (t) => {
    const room = `share-${Date.now()}`;
    const alice = await attendee('Alice', room, { video: true });
    const bob = await attendee('Bob', room, { video: false });
    const contentId = `${alice.self.attendeeId}#content`;
    await waitFor(() => tileOf(bob, alice.self.attendeeId), { timeoutMs: 30000, what: "Bob: Alice's camera tile" });

    // Alice mutes: what Bob hears from her side is then the share's audio only.
    await alice.page.evaluate(() => window.sdkTest.mute());
    await waitFor(async () => (await bob.state()).volumes[alice.self.attendeeId]?.muted === true, { what: 'Bob: Alice muted' });
    await new Promise((r) => setTimeout(r, 1000));  // what was in flight before the mute has played
    const quiet = await audioEnergyOver(bob, 2000);
    await startCanvasShare(alice, { tone: true });
    await waitFor(async () => (await contentState(alice)).started === 1,
      { timeoutMs: 30000, what: `Alice: contentShareDidStart (logs: ${alice.logs.slice(-5).join(' | ')})` });
    // The sharer's own session saw its content attendee, with its own external user id.
    const own = (await alice.state()).presence.find((p) => p.attendeeId === contentId && p.present);
    assert.ok(own, 'Alice saw no presence of her content attendee');
    assert.equal(own.externalUserId, alice.self.externalUserId);

    // Bob: presence of the content attendee, then a content tile decoding the canvas at its size.
    const seen = await waitFor(async () => (await bob.state()).presence.find((p) => p.attendeeId === contentId && p.present),
      { what: 'Bob: presence of Alice#content' });
    assert.equal(seen.externalUserId, alice.self.externalUserId);
    const tile = await waitFor(() => tileOf(bob, contentId), { timeoutMs: 30000, what: 'Bob: a content tile' });
    assert.equal(tile.isContent, true);
    assert.equal(tile.externalUserId, alice.self.externalUserId);
    const sized = await waitFor(async () => {
      const t = await tileOf(bob, contentId);
      return t && t.width >= 960 ? t : null;
    }, { timeoutMs: 40000, what: 'Bob: the content decoded at >= 960 px wide' });
    assert.ok(Math.abs(sized.width / sized.height - 16 / 9) < 0.05, `aspect ${sized.width}x${sized.height}`);
    t.diagnostic(`Bob decodes the share at ${sized.width}x${sized.height}`);
    // Answered with VP8 only, although the SDK prefers AV1 for content: every receiver decodes VP8.
    const answers = (await alice.state()).sdp.filter((d) => d.type === 'answer').map((d) => d.sdp);
    const contentAnswer = answers.reverse().find((sdp) => /m=video [1-9]/.test(sdp) && /a=sendrecv|a=recvonly/.test(sdp));
    assert.ok(contentAnswer, 'no answer with a video section');
    const videoCodecs = [...contentAnswer.split('m=video')[1].matchAll(/a=rtpmap:\d+ ([A-Za-z0-9-]+)\//g)].map((m) => m[1]);
    assert.ok(videoCodecs.includes('VP8') && !videoCodecs.includes('AV1') && !videoCodecs.includes('VP9'), videoCodecs.join(','));
    await framesGrow(bob, contentId);
    // The content attendee is an audio participant: its tone is in Bob's mix.
    const loud = await waitFor(async () => {
      const e = await audioEnergyOver(bob, 2000);
      return e > Math.max(2 * quiet, quiet + 0.5) ? e : 0;  // a full-scale tone: about 1 per second
    }, { timeoutMs: 20000, what: `Bob: the share's audio in his mix (quiet: ${quiet})` });
    t.diagnostic(`Bob's audio energy over 2 s: ${quiet.toFixed(5)} before the share, ${loud.toFixed(5)} with it`);
    // The camera tile stays beside it, a different tile.
    const camera = await tileOf(bob, alice.self.attendeeId);
    assert.ok(camera && camera.tileId !== tile.tileId);

    // The server asks the content sender for key frames every few seconds (static screens, late joiners).
    const before = await contentOutbound(alice);
    assert.ok(before, 'no outbound video on the content peer connection');
    await new Promise((r) => setTimeout(r, 7500));
    const later = await contentOutbound(alice);
    assert.ok(later.pliCount >= before.pliCount + 2, `PLIs ${before.pliCount} -> ${later.pliCount}`);
    t.diagnostic(`PLIs to the content sender in 7.5 s: ${before.pliCount} -> ${later.pliCount}`);

    // Stop: the content tile and presence go, Alice's camera tile stays and keeps decoding.
    await alice.page.evaluate(() => window.sdkTest.session().audioVideo.stopContentShare());
    await waitFor(async () => (await contentState(alice)).stopped === 1, { what: 'Alice: contentShareDidStop' });
    await waitFor(async () => (await tileOf(bob, contentId)) === null, { timeoutMs: 20000, what: "Bob: content tile removed" });
    await waitFor(async () => (await bob.state()).presence.find((p) => p.attendeeId === contentId && !p.present),
      { what: 'Bob: Alice#content gone' });
    await framesGrow(bob, alice.self.attendeeId);
    assert.equal((await alice.state()).stopped, null, 'stopping the share stopped the call');
    assert.equal((await bob.state()).stopped, null);

    // The roster lists people only.
    const { roster } = await (await fetch(`${server.url}/api/roster/${room}`)).json();
    assert.deepEqual(Object.keys(roster).sort(), [alice.self.attendeeId, bob.self.attendeeId].sort());
    for (const x of [alice, bob]) await x.page.evaluate(() => window.sdkTest.leave());
  });

  test('a sharer whose JOIN disables periodic keyframe requests gets none', async (t) => {
    const room = `share-nokf-${Date.now()}`;
    const dee = await attendee('Dee', room, { video: false, contentKeyframes: false });
    const eli = await attendee('Eli', room, { video: false });
    await startCanvasShare(dee);
    await waitFor(async () => (await contentState(dee)).started === 1, { timeoutMs: 30000, what: 'Dee: share started' });
    await waitFor(async () => {
      const tile = await tileOf(eli, `${dee.self.attendeeId}#content`);
      return tile && tile.frames > 30;
    }, { timeoutMs: 30000, what: "Eli: Dee's share decoding" });
    const before = await contentOutbound(dee);
    await new Promise((r) => setTimeout(r, 7500));
    const later = await contentOutbound(dee);
    t.diagnostic(`PLIs to the content sender in 7.5 s: ${before.pliCount} -> ${later.pliCount}`);
    assert.ok(later.pliCount <= before.pliCount + 1, `PLIs ${before.pliCount} -> ${later.pliCount}`);
    assert.ok(later.framesEncoded > before.framesEncoded, 'the share kept sending');
    for (const x of [dee, eli]) await x.page.evaluate(() => window.sdkTest.leave());
  });

  test('a third concurrent share is refused with 409 while two run', async () => {
    const room = `share3-${Date.now()}`;
    const ann = await attendee('Ann', room, { video: false });
    const ben = await attendee('Ben', room, { video: false });
    const cat = await attendee('Cat', room, { video: false });
    for (const x of [ann, ben]) {
      await startCanvasShare(x);
      await waitFor(async () => (await contentState(x)).started === 1, { timeoutMs: 30000, what: `${x.name}: share started` });
    }
    await startCanvasShare(cat);
    const refused = await waitFor(async () => {
      const s = await contentState(cat);
      return s.stopped === 1 ? s : null;
    }, { timeoutMs: 30000, what: 'Cat: contentShareDidStop' });
    assert.equal(refused.started, 0);
    assert.equal(refused.status, kAudioCallAtCapacity);
    // The two shares run on; Cat's call too, and Cat sees both shares.
    for (const x of [ann, ben]) assert.equal((await contentState(x)).stopped, 0);
    assert.equal((await cat.state()).stopped, null);
    for (const x of [ann, ben]) {
      await waitFor(() => tileOf(cat, `${x.self.attendeeId}#content`), { timeoutMs: 30000, what: `Cat: ${x.name}'s share` });
    }

    // The owner leaving ends its share for everyone.
    await ann.page.evaluate(() => window.sdkTest.leave());
    await waitFor(async () => (await contentState(ann)).stopped === 1, { timeoutMs: 20000, what: "Ann's share stopped with her" });
    await waitFor(async () => (await tileOf(cat, `${ann.self.attendeeId}#content`)) === null,
      { timeoutMs: 20000, what: "Cat: Ann's share gone" });
    for (const x of [ben, cat]) await x.page.evaluate(() => window.sdkTest.leave());
  });
});
