// Issue 6: the MediCall web app (web/dist, built by `make web` / `cd web && npm run build`) served by the
// real C++ server, driven through its UI by two headless Chromium browsers with fake devices:
// both join one room, see each other's named tile with decoding video, the participant list, the
// "X joined" notice, chat, mute on the other side, and "X left" after End call. Screenshots of the
// call screen at desktop and phone width go to tests/artifacts/.
// Runs inside `unshare -n` (loopback only), like the rest of the node suites.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import {
  ARTIFACTS, framesDecoded, joinThroughUi, recentLogs, seesVideoOf, startWebAppServer, trackPeerConnections, UI_TIMEOUT,
} from '../lib/web-app.mjs';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

let server;
const browsers = [];


async function openBrowser(name) {
  const b = await launchBrowser();
  browsers.push(b);
  await b.context.addInitScript(trackPeerConnections);
  await b.page.setViewportSize(DESKTOP);
  return { ...b, name };
}





// The control bar's panel buttons toggle (the component library renders no aria-pressed), so open a
// panel only when its content is not already on screen.
const PANELS = {
  Participants: (page) => page.getByRole('list', { name: 'Participants in this call', exact: true }),
  Chat: (page) => page.getByRole('log', { name: 'Chat history', exact: true }),
};

async function openPanel(p, button) {
  const content = PANELS[button](p.page);
  if (!(await content.isVisible())) await p.page.getByRole('button', { name: button, exact: true }).click();
  await content.waitFor({ timeout: UI_TIMEOUT });
}

async function participantRows(p) {
  await openPanel(p, 'Participants');
  return PANELS.Participants(p.page).getByRole('listitem');
}

// True when the element is on screen and nothing (self view, panel, notice) covers its centre.
function uncovered(locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    // Badges are pointer-events: none, which hit testing skips: make this one hittable while we look.
    const before = el.style.pointerEvents;
    el.style.pointerEvents = 'auto';
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    el.style.pointerEvents = before;
    return top !== null && (el === top || el.contains(top));
  });
}

async function screenshot(p, file, size) {
  await p.page.setViewportSize(size);
  await p.page.mouse.move(0, 0);  // no hover highlight left on the last button clicked
  // The video grid re-lays itself out after a debounced resize observer: wait until the tiles have kept
  // the same boxes for two polls and nothing is wider than the viewport.
  let previous = null;
  await waitFor(async () => {
    const layout = await p.page.evaluate(() => JSON.stringify({
      tiles: [...document.querySelectorAll('[role="group"]')].map((t) => t.getBoundingClientRect().toJSON()),
      scrollWidth: document.documentElement.scrollWidth,
      barRight: document.querySelector('.controls')?.getBoundingClientRect().right,
    }));
    const stable = layout === previous;
    previous = layout;
    const { scrollWidth, barRight } = JSON.parse(layout);
    return stable && scrollWidth <= size.width && barRight <= size.width + 0.5;
  }, { timeoutMs: 10000, what: `${p.name}: layout settled within ${size.width}px` });
  await p.page.screenshot({ path: path.join(ARTIFACTS, file) });
}

// With one remote person and no side panel, their tile fills the stage (no empty grid rows beside it).
async function remoteTileFillsStage(p, otherName) {
  const { tile, grid } = await p.page.getByRole('group', { name: otherName, exact: true }).evaluate((t) => ({
    tile: t.getBoundingClientRect().toJSON(),
    grid: t.closest('[data-testid="video-grid"]').getBoundingClientRect().toJSON(),
  }));
  assert.ok(tile.height >= grid.height * 0.95 && tile.width >= grid.width * 0.95,
    `${p.name}: ${otherName}'s tile ${tile.width}x${tile.height} fills the grid ${grid.width}x${grid.height}`);
}

before(async () => {
  server = await startWebAppServer();
});

after(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
});

// On failure: the browsers' last console lines, the server's log and a screenshot of every page.
async function withDiagnostics(body) {
  try {
    await body();
  } catch (error) {
    const notes = [];
    for (const [i, b] of browsers.entries()) {
      await b.page.screenshot({ path: path.join(ARTIFACTS, `web-app-failure-${i}.png`) }).catch(() => {});
      notes.push(`browser ${i} console:\n  ${b.logs.slice(-15).join('\n  ')}`);
    }
    notes.push(`server log (tail):\n${server.output().slice(-4000)}`);
    error.message += `\n${notes.join('\n')}`;
    throw error;
  }
}

describe('MediCall web app against the real server', () => {
  test('two people consult through the UI: tiles, participants, notices, chat, mute, end call', () => withDiagnostics(async () => {
    const room = `consult-${Date.now()}`;
    const alice = await openBrowser('Alice');
    const bob = await openBrowser('Bob');

    await joinThroughUi(alice, server.url, room);
    // Alone: the waiting message, no remote tiles.
    await alice.page.getByText('Waiting for others to join…').waitFor({ timeout: UI_TIMEOUT });

    // "Bob joined" lives 6 s: start watching before Bob joins so it cannot be missed.
    const aliceNotices = alice.page.getByRole('status', { name: 'Notifications', exact: true });
    const bobJoined = aliceNotices.getByText('Bob joined', { exact: true }).waitFor({ timeout: 45000 });
    await joinThroughUi(bob, server.url, room);
    await bobJoined;

    // Each sees the other's tile, labelled with the right name, with decoding video.
    const bobIdOnAlice = await seesVideoOf(alice, bob);
    const aliceIdOnBob = await seesVideoOf(bob, alice);
    assert.ok(bobIdOnAlice && aliceIdOnBob && bobIdOnAlice !== aliceIdOnBob, 'distinct attendee ids on the tiles');
    // Exactly one remote tile each (plus the self view), and the self view is not labelled as the other.
    for (const p of [alice, bob]) {
      const remote = await p.page.locator('[role="group"][data-attendee-id]').count();
      assert.equal(remote, 1, `${p.name}: one remote tile`);
      await p.page.getByRole('group', { name: 'Your video', exact: true }).locator('video').waitFor({ timeout: UI_TIMEOUT });
    }

    // The participant list shows both, with the attendee ids the tiles are bound to.
    for (const [p, otherId] of [[alice, bobIdOnAlice], [bob, aliceIdOnBob]]) {
      const rows = await participantRows(p);
      await waitFor(async () => (await rows.count()) === 2, { timeoutMs: UI_TIMEOUT, what: `${p.name}: 2 participants` });
      const texts = await rows.allInnerTexts();
      assert.ok(texts.some((t) => t.includes('Alice')), `${p.name}: Alice listed (${JSON.stringify(texts)})`);
      assert.ok(texts.some((t) => t.includes('Bob')), `${p.name}: Bob listed (${JSON.stringify(texts)})`);
      const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-attendee-id')));
      assert.ok(ids.includes(otherId), `${p.name}: the other's attendee id ${otherId} in ${JSON.stringify(ids)}`);
      assert.equal(new Set(ids).size, 2);
    }
    // Both sides agree on who is who: the tile Alice sees as "Bob" is bound to the attendee Bob's own
    // list marks as "You", and the other way round.
    const aliceIds = await (await participantRows(alice)).evaluateAll((els) => els.map((e) => e.getAttribute('data-attendee-id')));
    const bobIds = await (await participantRows(bob)).evaluateAll((els) => els.map((e) => e.getAttribute('data-attendee-id')));
    assert.deepEqual([...aliceIds].sort(), [...bobIds].sort(), 'same two attendees on both sides');
    const selfId = async (p) => (await participantRows(p)).filter({ hasText: /You/ }).getAttribute('data-attendee-id');
    assert.equal(await selfId(bob), bobIdOnAlice, 'Alice\'s "Bob" tile shows Bob\'s attendee');
    assert.equal(await selfId(alice), aliceIdOnBob, 'Bob\'s "Alice" tile shows Alice\'s attendee');

    // Screenshots of the call screen with both people in it (desktop, then phone width).
    await alice.page.getByRole('button', { name: 'Participants', exact: true }).click();  // close the panel
    await PANELS.Participants(alice.page).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await screenshot(alice, 'web-app-call-desktop.png', DESKTOP);
    await remoteTileFillsStage(alice, 'Bob');
    await screenshot(alice, 'web-app-call-phone.png', PHONE);
    await remoteTileFillsStage(alice, 'Bob');
    await openPanel(bob, 'Participants');
    await screenshot(bob, 'web-app-participants-phone.png', PHONE);
    await alice.page.setViewportSize(DESKTOP);
    await bob.page.setViewportSize(DESKTOP);

    // Chat: Alice writes, Bob reads it with Alice's name.
    const text = `Hello Bob, can you hear me? ${Date.now()}`;
    await openPanel(alice, 'Chat');
    const input = alice.page.getByRole('textbox', { name: 'Message', exact: true });
    await input.fill(text);
    await input.press('Enter');
    await alice.page.getByRole('log', { name: 'Chat history', exact: true }).getByText(text, { exact: true })
      .waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await input.inputValue(), '', 'Alice: message box cleared after sending');
    await openPanel(bob, 'Chat');
    const log = bob.page.getByRole('log', { name: 'Chat history', exact: true });
    await log.getByText(text, { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    const item = log.getByRole('listitem').filter({ hasText: text });
    assert.match(await item.innerText(), /Alice/, 'Bob: the message carries Alice\'s name');
    await screenshot(bob, 'web-app-chat-desktop.png', DESKTOP);
    await bob.page.getByRole('button', { name: 'Close chat', exact: true }).click();
    await log.waitFor({ state: 'detached', timeout: UI_TIMEOUT });

    // Mute: Alice's button flips, Bob's tile for Alice and his participant list show it.
    const aliceTileOnBob = bob.page.getByRole('group', { name: 'Alice', exact: true });
    assert.equal(await aliceTileOnBob.getByText('Muted', { exact: true }).count(), 0, 'Bob: Alice not muted yet');
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await alice.page.getByRole('button', { name: 'Unmute', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await aliceTileOnBob.getByText('Muted', { exact: true }).waitFor({ state: 'attached', timeout: UI_TIMEOUT });
    // The visible badge, not just its screen-reader text: on screen and not hidden under the self view.
    const mutedBadge = aliceTileOnBob.locator('[title="Muted"]');
    for (const size of [DESKTOP, PHONE]) {
      await bob.page.setViewportSize(size);
      // (a join notice may sit over it at phone width for its 6 s)
      await waitFor(() => uncovered(mutedBadge), { timeoutMs: UI_TIMEOUT, what: `Bob: Alice's muted badge visible at ${size.width}px` });
    }
    await screenshot(bob, 'web-app-muted-phone.png', PHONE);
    await remoteTileFillsStage(bob, 'Alice');
    await bob.page.setViewportSize(DESKTOP);
    const bobRows = await participantRows(bob);
    await waitFor(async () => (await bobRows.filter({ hasText: 'Alice' }).getAttribute('data-muted')) === 'true',
      { timeoutMs: UI_TIMEOUT, what: 'Bob: Alice muted in the participant list' });
    await screenshot(bob, 'web-app-muted-desktop.png', DESKTOP);
    await alice.page.getByRole('button', { name: 'Unmute', exact: true }).click();
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await aliceTileOnBob.getByText('Microphone on', { exact: true }).waitFor({ state: 'attached', timeout: UI_TIMEOUT });
    assert.equal(await aliceTileOnBob.getByText('Muted', { exact: true }).count(), 0, 'Bob: Alice unmuted');

    // End call: Bob is back at the join screen; Alice sees "Bob left", his tile goes, the list shrinks.
    const bobLeft = aliceNotices.getByText('Bob left', { exact: true }).waitFor({ timeout: 45000 });
    await bob.page.getByRole('button', { name: 'End call', exact: true }).click();
    await bob.page.getByRole('button', { name: 'Join', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await bob.page.getByLabel('Room ID', { exact: true }).inputValue(), room, 'Bob: room kept for rejoining');
    await bobLeft;
    assert.equal(await aliceNotices.getByText('Bob lost connection').count(), 0, 'a clean leave is not a drop');
    await alice.page.getByRole('group', { name: 'Bob', exact: true }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    const aliceRows = await participantRows(alice);
    await waitFor(async () => (await aliceRows.count()) === 1, { timeoutMs: UI_TIMEOUT, what: 'Alice: 1 participant' });
    assert.match(await aliceRows.first().innerText(), /Alice/);

    await alice.page.getByRole('button', { name: 'End call', exact: true }).click();
    await alice.page.getByRole('button', { name: 'Join', exact: true }).waitFor({ timeout: UI_TIMEOUT });

    // Nothing went wrong behind the UI: no uncaught exception on either page (End call once released
    // the devices while the SDK was still stopping, which threw "no active meeting and peer connection").
    for (const p of [alice, bob]) {
      assert.deepEqual(p.logs.filter((l) => l.startsWith('[pageerror]')), [], `${p.name}: uncaught page errors`);
    }
  }));
});
