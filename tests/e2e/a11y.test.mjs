// axe-core (WCAG 2.1 A and AA rules) on every page of the web app, at desktop and phone (390 px)
// width, with the real server: the open-room join screen with its device check, the call (with the
// participant and chat panels), login, set password, the dashboard with a waiting patient and a
// queued one, the visit page, the patient's device check and waiting room, a bad link, and the
// clinician's call with the host controls. Zero serious or critical violations, and no page wider than
// the phone's screen (screenshots go to tests/artifacts/a11y-*-{desktop,phone}.png). Issue 16's report
// page (/report/<meetingId>) is checked with the open-room call's report.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import axe from 'axe-core';
import { joinThroughUi } from '../lib/web-app.mjs';
import {
  addUser, ARTIFACTS, createVisitThroughUi, DESKTOP, inCall, loginThroughUi, openBrowser, patientWaits, PHONE,
  setPasswordThroughUi, startClinicServer, toDashboard, UI_TIMEOUT, waitingRow,
} from '../lib/clinic-web.mjs';

let server;
const browsers = [];

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  server = await startClinicServer();
});

after(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
});

async function open(name) {
  const p = await openBrowser(name);
  browsers.push(p);
  return p;
}

const kTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// Runs axe on the page as it is now, at both widths; fails with every serious or critical finding.
async function audit(p, what) {
  const found = [];
  for (const size of [DESKTOP, PHONE]) {
    await p.page.setViewportSize(size);
    await p.page.waitForTimeout(300);  // layout after the resize
    if (!(await p.page.evaluate(() => typeof window.axe === 'object'))) await p.page.addScriptTag({ content: axe.source });
    const result = await p.page.evaluate((tags) => window.axe.run(document, {
      runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'],
    }), kTags);
    // Usable at either width: nothing wider than the screen (no sideways scrolling).
    const wide = await p.page.evaluate(() => document.documentElement.scrollWidth);
    if (wide > size.width) found.push(`${what} @${size.width}px: the page is ${wide}px wide`);
    const file = `a11y-${what.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}-${size === PHONE ? 'phone' : 'desktop'}.png`;
    await p.page.screenshot({ path: path.join(ARTIFACTS, file) }).catch(() => {});
    for (const v of result.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      found.push(`${what} @${size.width}px: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
    }
  }
  await p.page.setViewportSize(DESKTOP);
  return found;
}

describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  test('every page has no serious or critical violations', async () => {
    const problems = [];
    const check = async (p, what) => problems.push(...(await audit(p, what)));

    // Open rooms: join screen with the device check, then the call with its panels.
    const alice = await open('Alice');
    await alice.page.goto(server.url);
    await alice.page.getByRole('heading', { name: 'Check your camera and sound', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await alice.page.getByRole('meter').waitFor({ timeout: UI_TIMEOUT });
    await check(alice, 'join + device check');
    const openRoom = `a11y-${Date.now()}`;
    await joinThroughUi(alice, server.url, openRoom);
    await check(alice, 'call');
    await alice.page.getByRole('button', { name: 'Participants', exact: true }).click();
    await check(alice, 'call + participants');
    await alice.page.getByRole('button', { name: 'Chat', exact: true }).click();
    await check(alice, 'call + chat');
    await alice.page.getByRole('button', { name: 'End call', exact: true }).click();

    // The post-visit call-quality report of that call (an open room's: served on loopback).
    const joined = await fetch(`${server.url}/join`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Reader', roomId: openRoom }),
    }).then((r) => r.json());
    await alice.page.goto(`${server.url}/report/${joined.JoinInfo.Meeting.MeetingId}`);
    await alice.page.getByRole('heading', { name: 'Who was there', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await check(alice, 'call-quality report');

    // Clinician pages.
    const doc = await open('Dr Jane Doe');
    const token = await addUser(server, { name: 'Dr Jane Doe', email: 'jane@example.org' });
    await doc.page.goto(`${server.url}/set-password/${token}`);
    await doc.page.getByLabel('New password', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await check(doc, 'set password');
    await setPasswordThroughUi(doc, server.url, token);
    await check(doc, 'password set');
    await doc.page.goto(`${server.url}/login`);
    await doc.page.getByLabel('Email', { exact: true }).fill('jane@example.org');
    await doc.page.getByLabel('Password', { exact: true }).fill('not the password');
    await doc.page.getByRole('button', { name: 'Log in', exact: true }).click();
    await doc.page.getByText('The email or password is not right.', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await check(doc, 'login with an error');
    await loginThroughUi(doc, server.url, 'jane@example.org');
    await check(doc, 'empty dashboard');
    const { link } = await createVisitThroughUi(doc, 'Pat Smith');
    await check(doc, 'visit page');

    // Patient: device check and name, waiting room with a message; a queued patient too.
    const pat = await open('Pat');
    await pat.page.goto(link);
    await pat.page.getByLabel('Your name', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await check(pat, 'patient device check');
    await patientWaits(pat, link);
    const sam = await open('Sam');
    await patientWaits(sam, `${server.url}/c/clinic`);
    await check(sam, 'queue waiting room');

    await toDashboard(doc);
    const row = waitingRow(doc, 'Pat');
    await row.waitFor({ timeout: UI_TIMEOUT });
    await doc.page.getByRole('button', { name: 'Take Sam', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await check(doc, 'dashboard with waiting and queue');
    await row.getByRole('button', { name: 'Message', exact: true }).click();
    await row.getByLabel('Message to Pat', { exact: true }).fill('Running 5 minutes late');
    await row.getByRole('button', { name: 'Send', exact: true }).click();
    await pat.page.getByText('Running 5 minutes late', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await check(pat, 'waiting room with a message');

    // The clinician's call with the host controls, then the patient's.
    await row.getByRole('button', { name: 'Admit', exact: true }).click();
    await inCall(doc);
    await inCall(pat);
    await doc.page.getByRole('button', { name: 'Participants', exact: true }).click();
    await doc.page.getByRole('button', { name: 'Mute participant', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await check(doc, 'clinician call + host controls');
    await doc.page.getByRole('button', { name: 'Mute participant', exact: true }).click();
    await pat.page.getByText('Your clinician muted your microphone', { exact: false }).waitFor({ timeout: UI_TIMEOUT });
    await check(pat, 'patient call, muted by the host');
    await doc.page.getByRole('button', { name: 'End visit for all', exact: true }).click();
    await pat.page.getByText('The visit has ended.', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await check(pat, 'visit ended');

    // Bad links and unknown pages.
    await pat.page.goto(`${server.url}/v/not-a-real-token-aaaaaaaaaaaaaaaa`);
    await pat.page.getByText('This visit link is not valid.', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await check(pat, 'invalid link');
    await pat.page.goto(`${server.url}/no-such-page`);
    await pat.page.getByText('Page not found', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await check(pat, 'not found');

    // Keyboard only: log in with Tab and Enter, reach New visit and start a visit with the keyboard.
    const kb = await open('Keyboard');
    await kb.page.goto(`${server.url}/login`);
    await kb.page.getByLabel('Email', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await kb.page.keyboard.press('Tab');
    assert.equal(await kb.page.evaluate(() => document.activeElement?.id), 'login-email', 'Tab reaches Email first');
    await kb.page.keyboard.type('jane@example.org');
    await kb.page.keyboard.press('Tab');
    await kb.page.keyboard.type('correct horse battery staple');
    await kb.page.keyboard.press('Enter');
    await kb.page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    let reached = false;
    for (let i = 0; i < 40 && !reached; ++i) {
      await kb.page.keyboard.press('Tab');
      reached = await kb.page.evaluate(() => document.activeElement?.textContent === 'New visit');
    }
    assert.ok(reached, 'Tab reaches New visit');
    await kb.page.keyboard.press('Enter');
    await kb.page.getByLabel('Link to send the patient', { exact: true }).waitFor({ timeout: UI_TIMEOUT });

    assert.deepEqual(problems, [], `axe found:\n${problems.join('\n')}`);
    await doc.page.screenshot({ path: path.join(ARTIFACTS, 'a11y-last.png') }).catch(() => {});
  });
});
