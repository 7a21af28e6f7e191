// Issue 16: screen sharing through the MediCall web app (web/dist) on the real server. Alice presses
// "Share screen" (headless Chromium answers getDisplayMedia with its fake capture), Bob sees the
// shared screen large, letterboxed, with "Alice is sharing" and Alice's camera beside it, at desktop
// and phone width; "Fill" crops it; "Stop sharing" brings the grid back. Screenshots go to
// tests/artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import {
  ARTIFACTS, joinThroughUi, recentLogs, seesVideoOf, startWebAppServer, trackPeerConnections, UI_TIMEOUT,
} from '../lib/web-app.mjs';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };
// getDisplayMedia without a picker: Chromium picks the (fake) screen itself.
const SCREEN_CAPTURE_ARGS = ['--auto-select-desktop-capture-source=Entire screen'];

let server;
const people = [];

async function person(name) {
  const b = await launchBrowser({ extraArgs: SCREEN_CAPTURE_ARGS });
  await b.context.addInitScript(trackPeerConnections);
  await b.page.setViewportSize(DESKTOP);
  const p = { ...b, name };
  people.push(p);
  return p;
}

// The shared screen on p's page: its box, and its <video>'s size, clock and object-fit.
async function sharedScreen(p, owner) {
  const view = p.page.getByRole('group', { name: `Screen shared by ${owner}`, exact: true });
  await view.waitFor({ timeout: UI_TIMEOUT });
  const video = view.locator('video');
  await video.waitFor({ timeout: UI_TIMEOUT });
  return () => video.evaluate((v) => ({
    box: v.closest('[role="group"]').getBoundingClientRect().toJSON(),
    width: v.videoWidth,
    time: v.currentTime,
    fit: getComputedStyle(v).objectFit,
  }));
}

before(async () => {
  server = await startWebAppServer();
});

after(async () => {
  for (const p of people) await p.close();
  await server?.stop();
});

describe('screen sharing in the MediCall web app', () => {
  test('Alice shares her screen, Bob sees it large with "Alice is sharing", then she stops', async () => {
    try {
      const room = `share-ui-${Date.now()}`;
      const alice = await person('Alice');
      const bob = await person('Bob');
      await joinThroughUi(alice, server.url, room);
      await joinThroughUi(bob, server.url, room);
      await seesVideoOf(bob, alice);

      // The main remote video shows the whole frame by default.
      const aliceTile = bob.page.getByRole('group', { name: 'Alice', exact: true });
      assert.equal(await aliceTile.locator('video').evaluate((v) => getComputedStyle(v).objectFit), 'contain');

      // Share from the keyboard: focus the button, press Enter.
      const share = alice.page.getByRole('button', { name: 'Share screen', exact: true });
      await share.focus();
      await alice.page.keyboard.press('Enter');
      await alice.page.getByRole('button', { name: 'Stop sharing', exact: true }).waitFor({ timeout: UI_TIMEOUT });
      await alice.page.getByText('You are sharing your screen', { exact: true }).waitFor({ timeout: UI_TIMEOUT })
        .catch((e) => { throw new Error(`Alice: no share preview (${e.message}); logs: ${recentLogs(alice)}`); });

      // Bob: the share, large and playing, with "Alice is sharing", and Alice's camera beside it.
      await bob.page.getByText('Alice is sharing', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
      const screenOnBob = await sharedScreen(bob, 'Alice');
      const first = await waitFor(async () => {
        const s = await screenOnBob();
        return s.width > 0 && s.time > 0 ? s : null;
      }, { timeoutMs: UI_TIMEOUT, what: "Bob: Alice's screen playing" });
      await waitFor(async () => (await screenOnBob()).time > first.time + 0.5,
        { timeoutMs: UI_TIMEOUT, what: "Bob: Alice's screen advancing" });
      assert.equal(first.fit, 'contain', 'the shared screen is letterboxed by default');
      const cameras = bob.page.getByRole('region', { name: 'Cameras', exact: true });
      const camera = cameras.getByRole('group', { name: 'Alice', exact: true });
      await camera.locator('video').waitFor({ timeout: UI_TIMEOUT });
      const cameraBox = (await camera.boundingBox());
      assert.ok(first.box.width * first.box.height > 4 * cameraBox.width * cameraBox.height,
        `the share (${first.box.width}x${first.box.height}) is large beside the camera (${cameraBox.width}x${cameraBox.height})`);
      // The content attendee is no person in the list.
      await bob.page.getByRole('button', { name: 'Participants', exact: true }).click();
      const rows = bob.page.getByRole('list', { name: 'Participants in this call', exact: true }).getByRole('listitem');
      await waitFor(async () => (await rows.count()) === 2, { timeoutMs: UI_TIMEOUT, what: 'Bob: 2 participants' });
      await bob.page.getByRole('button', { name: 'Participants', exact: true }).click();
      await bob.page.mouse.move(0, 0);
      await bob.page.screenshot({ path: path.join(ARTIFACTS, 'web-app-share-desktop.png') });

      // Fill crops it; pressed again, the whole frame is back.
      const fill = bob.page.getByRole('button', { name: 'Fill', exact: true });
      assert.equal(await fill.getAttribute('aria-pressed'), 'false');
      await fill.click();
      assert.equal(await fill.getAttribute('aria-pressed'), 'true');
      assert.equal((await screenOnBob()).fit, 'cover');
      await fill.click();
      assert.equal((await screenOnBob()).fit, 'contain');

      // Phone width: the share on top, the cameras under it, nothing wider than the screen.
      await bob.page.setViewportSize(PHONE);
      await waitFor(async () => {
        const s = await screenOnBob();
        const scroll = await bob.page.evaluate(() => document.documentElement.scrollWidth);
        return scroll <= PHONE.width && s.box.width >= PHONE.width * 0.85 && s.box.height > 100;
      }, { timeoutMs: 10000, what: 'Bob: the share fills a phone-wide stage' });
      const phoneCamera = await camera.boundingBox();
      assert.ok(phoneCamera.y >= (await screenOnBob()).box.y + (await screenOnBob()).box.height - 1,
        'the cameras sit under the share on a phone');
      await bob.page.screenshot({ path: path.join(ARTIFACTS, 'web-app-share-phone.png') });
      await bob.page.setViewportSize(DESKTOP);

      // Stop: the share goes on both sides, Alice's camera stays in Bob's grid.
      await alice.page.getByRole('button', { name: 'Stop sharing', exact: true }).click();
      await alice.page.getByRole('button', { name: 'Share screen', exact: true }).waitFor({ timeout: UI_TIMEOUT });
      await bob.page.getByText('Alice is sharing', { exact: true }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
      await alice.page.getByText('You are sharing your screen', { exact: true }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
      await seesVideoOf(bob, alice);
      assert.equal(await bob.page.getByRole('region', { name: 'Cameras', exact: true }).count(), 0);
    } catch (error) {
      for (const [i, p] of people.entries()) {
        await p.page.screenshot({ path: path.join(ARTIFACTS, `web-app-share-failure-${i}.png`) }).catch(() => {});
        error.message += `\n${p.name} console: ${recentLogs(p)}`;
      }
      error.message += `\nserver log (tail):\n${server.output().slice(-3000)}`;
      throw error;
    }
  });
});
