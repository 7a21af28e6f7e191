// Issue 15: the MediCall web app (web/dist) in Firefox ESR: a patient in Firefox joins through the UI,
// sees the clinician (Chromium) with decoding video and is seen by them, then ends the call; the other
// side sees the tile go. Firefox is driven by puppeteer-core over WebDriver BiDi, Chromium by
// playwright-core. Runs inside `unshare -n` with a veth pair and default route (see lib/firefox.mjs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { trackPeerConnections } from '../lib/web-app.mjs';
import { TEST_HOST_ADDRESS, ensureDefaultRoute, launchFirefox, removeDefaultRoute } from '../lib/firefox.mjs';
import { REPO_ROOT, startServer } from '../lib/server.mjs';

const WEB_DIST = process.env.MEDICALL_WEB_DIST || path.join(REPO_ROOT, 'web', 'dist');
const UI_TIMEOUT = 30000;

let server;
const browsers = [];

async function openFirefox(name) {
  const b = await launchFirefox();
  browsers.push(b);
  await b.page.evaluateOnNewDocument(trackPeerConnections);
  await b.page.setViewport({ width: 1280, height: 800 });
  return { ...b, name, kind: 'firefox' };
}

async function openChromium(name) {
  const b = await launchBrowser();
  browsers.push(b);
  await b.context.addInitScript(trackPeerConnections);
  await b.page.setViewportSize({ width: 1280, height: 800 });
  return { ...b, name, kind: 'chromium' };
}

const recent = (p) => p.logs.slice(-8).join(' | ');

// The <button> whose accessible name (aria-label, else its text) is exactly `label`, or null.
function buttonState(page, label) {
  return page.evaluate((l) => {
    const b = [...document.querySelectorAll('button')].find(
      (x) => (x.getAttribute('aria-label') || x.textContent.trim()) === l);
    return b ? { disabled: b.disabled } : null;
  }, label);
}

async function clickButton(p, label) {
  await waitFor(async () => (await buttonState(p.page, label))?.disabled === false,
    { timeoutMs: UI_TIMEOUT, what: `${p.name}: an enabled "${label}" button (logs: ${recent(p)})` });
  if (p.kind === 'chromium') {
    await p.page.getByRole('button', { name: label, exact: true }).click();
    return;
  }
  const handle = await p.page.evaluateHandle((l) => [...document.querySelectorAll('button')].find(
    (x) => (x.getAttribute('aria-label') || x.textContent.trim()) === l), label);
  await handle.asElement().click();
  await handle.dispose();
}

// Types into the field as a person would (React sees real input events).
async function fill(p, selector, text) {
  if (p.kind === 'chromium') {
    await p.page.fill(selector, text);
    return;
  }
  await p.page.waitForSelector(selector, { timeout: UI_TIMEOUT });
  await p.page.click(selector, { count: 3 });
  await p.page.keyboard.press('Backspace');
  await p.page.type(selector, text);
}

async function joinThroughUi(p, room) {
  await p.page.goto(`${server.url}/?room=${encodeURIComponent(room)}`);
  await waitFor(() => p.page.evaluate(() => document.querySelector('#join-room')?.value || ''),
    { timeoutMs: UI_TIMEOUT, what: `${p.name}: the join form` });
  assert.equal(await p.page.evaluate(() => document.querySelector('#join-room').value), room, '?room= pre-fills');
  await fill(p, '#join-name', p.name);
  await clickButton(p, 'Join');
  await waitFor(() => buttonState(p.page, 'End call'), { timeoutMs: UI_TIMEOUT, what: `${p.name}: the call screen (logs: ${recent(p)})` });
}

function framesDecoded(page) {
  return page.evaluate(async () => {
    let sum = 0;
    for (const pc of window.__medicallPcs || []) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') sum += s.framesDecoded || 0;
      });
    }
    return sum;
  });
}

// The tile labelled with the other's name plays video (size, advancing clock) and frames keep decoding.
async function seesVideoOf(p, other) {
  const playing = () => p.page.evaluate((name) => {
    const tile = document.querySelector(`[role="group"][aria-label="${name}"]`);
    const v = tile?.querySelector('video');
    if (!v) return null;
    return { id: tile.getAttribute('data-attendee-id'), width: v.videoWidth, time: v.currentTime };
  }, other.name);
  const first = await waitFor(async () => {
    const s = await playing();
    return s && s.width > 0 && s.time > 0 ? s : null;
  }, { timeoutMs: UI_TIMEOUT, what: `${p.name}: ${other.name}'s tile playing (logs: ${recent(p)})` });
  await waitFor(async () => (await playing())?.time > first.time + 0.5,
    { timeoutMs: UI_TIMEOUT, what: `${p.name}: ${other.name}'s video clock advancing` });
  const decoded = await waitFor(() => framesDecoded(p.page), { timeoutMs: UI_TIMEOUT, what: `${p.name}: frames decoded` });
  await waitFor(async () => (await framesDecoded(p.page)) > decoded + 10,
    { timeoutMs: UI_TIMEOUT, what: `${p.name}: framesDecoded growing` });
  return first.id;
}

before(async () => {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(`${WEB_DIST}/index.html missing: build the web app first (\`make web\` or \`cd web && npm run build\`)`);
  }
  ensureDefaultRoute();
  server = await startServer({ args: ['--web-dir', WEB_DIST, '--public-ip', TEST_HOST_ADDRESS] });
});

after(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
  removeDefaultRoute();
});

describe('MediCall web app in Firefox ESR', () => {
  test('a patient in Firefox joins, sees the clinician in Chromium, and ends the call', async () => {
    const room = `ff-web-${Date.now()}`;
    const patient = await openFirefox('Pat');
    const clinician = await openChromium('Dr Chen');
    await joinThroughUi(clinician, room);
    await joinThroughUi(patient, room);

    const clinicianId = await seesVideoOf(patient, clinician);
    const patientId = await seesVideoOf(clinician, patient);
    assert.ok(clinicianId && patientId && clinicianId !== patientId, 'distinct attendees on the tiles');

    // End call in Firefox: back at the join screen with the room kept; the clinician's tile for the
    // patient goes away.
    await clickButton(patient, 'End call');
    await waitFor(() => buttonState(patient.page, 'Join'), { timeoutMs: UI_TIMEOUT, what: 'Pat: back at the join screen' });
    assert.equal(await patient.page.evaluate(() => document.querySelector('#join-room').value), room);
    await waitFor(async () => !(await clinician.page.evaluate(
      (name) => document.querySelector(`[role="group"][aria-label="${name}"]`) !== null, patient.name)),
    { timeoutMs: UI_TIMEOUT, what: "Dr Chen: Pat's tile gone" });
    await clickButton(clinician, 'End call');

    for (const p of [patient, clinician]) {
      assert.deepEqual(p.logs.filter((l) => l.startsWith('[pageerror]')), [], `${p.name}: uncaught page errors`);
    }
  });
});
