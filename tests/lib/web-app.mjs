// The MediCall web app driven through its UI (Playwright): shared by the web app end-to-end tests.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { waitFor } from './browser.mjs';
import { REPO_ROOT, startServer } from './server.mjs';

export const WEB_DIST = process.env.MEDICALL_WEB_DIST || path.join(REPO_ROOT, 'web', 'dist');
export const ARTIFACTS = path.join(REPO_ROOT, 'tests', 'artifacts');

// Starts the server on the built web app (web/dist), with tests/artifacts/ ready for screenshots.
// A missing bundle fails the suite (it is built by `make web`, not by the test).
export async function startWebAppServer(extraArgs = []) {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(`${WEB_DIST}/index.html missing: build the web app first (\`make web\` or \`cd web && npm run build\`)`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  return startServer({ args: ['--web-dir', WEB_DIST, ...extraArgs] });
}

export const UI_TIMEOUT = 30000;

// Keeps every RTCPeerConnection the page creates, so the test can read framesDecoded from getStats()
// (the app does not expose its session; this only observes, it changes nothing the SDK sees).
export function trackPeerConnections() {
  const Native = window.RTCPeerConnection;
  window.__medicallPcs = [];
  const Tracked = function (...args) {
    const pc = new Native(...args);
    window.__medicallPcs.push(pc);
    return pc;
  };
  Tracked.prototype = Native.prototype;
  Object.setPrototypeOf(Tracked, Native);
  window.RTCPeerConnection = Tracked;
}

export const recentLogs = (p) => p.logs.slice(-8).join(' | ');

// Fills the join form exactly as a person would and waits for the call screen.
// baseUrl: the server the page is opened from (http or https).
export async function joinThroughUi(p, baseUrl, room) {
  const { page } = p;
  await page.goto(`${baseUrl}/?room=${encodeURIComponent(room)}`);
  const roomField = page.getByLabel('Room ID', { exact: true });
  await roomField.waitFor({ timeout: UI_TIMEOUT });
  // `/?room=<id>` pre-fills the room.
  assert.equal(await roomField.inputValue(), room, `${p.name}: ?room= pre-fills Room ID`);
  await page.getByLabel('Name', { exact: true }).fill(p.name);
  await roomField.fill(room);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.getByRole('button', { name: 'End call', exact: true }).waitFor({ timeout: UI_TIMEOUT })
    .catch((e) => { throw new Error(`${p.name}: no call screen (${e.message}); logs: ${recentLogs(p)}`); });
}

// Sum of framesDecoded over inbound video streams of every peer connection on the page.
export function framesDecoded(page) {
  return page.evaluate(async () => {
    let sum = 0;
    for (const pc of window.__medicallPcs || []) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && (s.kind === 'video' || s.mediaType === 'video')) sum += s.framesDecoded || 0;
      });
    }
    return sum;
  });
}

// The remote tile labelled `other.name` on p's page shows video that is decoding: the element has a
// size, its clock advances, it is not hidden, and the peer connection's framesDecoded keeps growing.
export async function seesVideoOf(p, other) {
  const tile = p.page.getByRole('group', { name: other.name, exact: true });
  await tile.waitFor({ timeout: UI_TIMEOUT });
  const video = tile.locator('video');
  await waitFor(async () => (await video.count()) === 1, {
    timeoutMs: UI_TIMEOUT, what: `${p.name}: a <video> in ${other.name}'s tile (logs: ${recentLogs(p)})`,
  });
  const playing = () => video.evaluate((v) => ({
    width: v.videoWidth,
    height: v.videoHeight,
    time: v.currentTime,
    visible: getComputedStyle(v).visibility !== 'hidden' && v.getBoundingClientRect().width > 0,
  }));
  const first = await waitFor(async () => {
    const s = await playing();
    return s.width > 0 && s.height > 0 && s.time > 0 && s.visible ? s : null;
  }, { timeoutMs: UI_TIMEOUT, what: `${p.name}: ${other.name}'s video playing` });
  await waitFor(async () => (await playing()).time > first.time + 0.5, {
    timeoutMs: UI_TIMEOUT, what: `${p.name}: ${other.name}'s video time advancing`,
  });
  const decoded0 = await waitFor(() => framesDecoded(p.page), {
    timeoutMs: UI_TIMEOUT, what: `${p.name}: framesDecoded > 0`,
  });
  await waitFor(async () => (await framesDecoded(p.page)) > decoded0 + 10, {
    timeoutMs: UI_TIMEOUT, what: `${p.name}: framesDecoded growing`,
  });
  return tile.getAttribute('data-attendee-id');
}
