// The unmodified Chime SDK test page (tests/sdk-page) in a Chromium that runs on a test host
// (tests/lib/netns.mjs): join a room and check video, for the tests of calls between hosts.
import assert from 'node:assert/strict';
import { launchBrowser, waitFor } from './browser.mjs';

// Opens `${origin}/` in a Chromium inside `host`, joins `room` as `name` and waits for the SDK's
// audioVideoDidStart. browsers: the test's list of browsers to close. extraArgs: e.g. the flag that
// lets Chromium trust the test's certificate. joinOptions: the test page's join options (video,
// simulcast, allHighest). Returns the browser with name, self, stats(), state().
export async function sdkAttendeeOn(host, { name, room, origin, browsers, extraArgs = [], joinOptions = {} }) {
  const b = await launchBrowser({ executablePath: await host.chromiumPath(), extraArgs });
  browsers.push(b);
  await b.page.goto(`${origin}/`);
  if (origin.startsWith('https:')) {
    assert.equal(await b.page.evaluate(() => window.isSecureContext), true, 'an HTTPS page is a secure context');
  }
  await waitFor(() => b.page.evaluate(() => Boolean(window.sdkTest)), {
    timeoutMs: 15000, what: `${name}: the test page's script (logs: ${b.logs.join(' | ')})`,
  });
  const self = await b.page.evaluate(([n, r, o]) => window.sdkTest.join(n, r, o), [name, room, joinOptions]);
  await waitFor(() => b.page.evaluate(() => window.sdkTest.state.started), {
    timeoutMs: 40000, what: `${name}: audioVideoDidStart (logs: ${b.logs.slice(-5).join(' | ')})`,
  });
  return {
    ...b,
    name,
    self,
    stats: () => b.page.evaluate(() => window.sdkTest.stats()),
    state: () => b.page.evaluate(() => window.sdkTest.state),
  };
}

// Until a page is served over HTTPS, this flag lets its origin have the camera (a secure context).
export const insecureOriginAsSecure = (origin) => [`--unsafely-treat-insecure-origin-as-secure=${origin}`];

// Video frames decoded so far, over all inbound video of the peer connection.
export async function framesDecodedBy(a) {
  return (await a.stats()).video.reduce((sum, v) => sum + (v.framesDecoded || 0), 0);
}

// `a` shows a tile for `other` and decodes its video: frames keep growing.
export async function decodesVideoOf(a, other) {
  await waitFor(async () => (await a.page.evaluate(() => window.sdkTest.remoteTiles()))
    .some((t) => t.attendeeId === other.self.attendeeId), { timeoutMs: 30000, what: `${a.name}: a tile for ${other.name}` });
  const first = await waitFor(() => framesDecodedBy(a), { timeoutMs: 30000, what: `${a.name}: frames from ${other.name}` });
  await waitFor(async () => (await framesDecodedBy(a)) > first + 20, { timeoutMs: 20000, what: `${a.name}: frames growing` });
}

// The inbound-rtp video entry (the test page's stats()) that carries `other`'s tile on `a`, or null.
export async function inboundVideoOf(a, other) {
  return a.page.evaluate(async (attendeeId) => {
    const tiles = window.sdkTest.state.tiles;
    const tileId = Object.keys(tiles).find((k) => !tiles[k].local && tiles[k].attendeeId === attendeeId);
    const track = document.getElementById(`tile-${tileId}`)?.srcObject?.getVideoTracks()[0];
    if (!track) return null;
    return (await window.sdkTest.stats()).video.find((v) => v.track === track.id) || null;
  }, other.self.attendeeId);
}
