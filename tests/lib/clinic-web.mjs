// The clinic (issue 12) driven through the web app (tests/lib/clinic.mjs is the API suites' client): clinicians made with the CLI
// (`medicall user add`), their set-password link and login, visits, waiting patients. Shared by
// tests/e2e/clinic*.test.mjs and tests/e2e/a11y.test.mjs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, waitFor } from './browser.mjs';
import { REPO_ROOT, SERVER_BINARY, startServer } from './server.mjs';
import { recentLogs, trackPeerConnections, UI_TIMEOUT } from './web-app.mjs';

export const WEB_DIST = process.env.MEDICALL_WEB_DIST || path.join(REPO_ROOT, 'web', 'dist');
export const ARTIFACTS = path.join(REPO_ROOT, 'tests', 'artifacts');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const PASSWORD = 'correct horse battery staple';

const run = promisify(execFile);

export async function startClinicServer(options = {}) {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(`${WEB_DIST}/index.html missing: build the web app first (\`make web\` or \`cd web && npm run build\`)`);
  }
  return startServer({ ...options, args: ['--web-dir', WEB_DIST, ...(options.args || [])] });
}

// `medicall user add` against the test server's data directory (SQLite WAL: the server keeps running).
// Returns the token of the one-time set-password link it printed.
export async function addUser(server, { role = 'clinician', name, email }) {
  const { stdout, stderr } = await run(SERVER_BINARY, ['user', 'add', '--role', role, '--name', name, '--email', email], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, MEDICALL_DATA_DIR: server.dataDir },
    cwd: server.dataDir,
  });
  const match = /\/set-password\/([A-Za-z0-9_\-%.~]+)/.exec(stdout + stderr);
  assert.ok(match, `user add printed a set-password link: ${stdout} ${stderr}`);
  return match[1];
}

export async function openBrowser(name, size = DESKTOP) {
  const b = await launchBrowser();
  await b.context.addInitScript(trackPeerConnections);
  await b.page.setViewportSize(size);
  return { ...b, name };
}

export async function setPasswordThroughUi(p, baseUrl, token, password = PASSWORD) {
  const { page } = p;
  await page.goto(`${baseUrl}/set-password/${token}`);
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Set password', exact: true }).click();
  await page.getByText('Your password is set.', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
}

export async function loginThroughUi(p, baseUrl, email, password = PASSWORD) {
  const { page } = p;
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor({ timeout: UI_TIMEOUT })
    .catch((e) => { throw new Error(`${p.name}: no dashboard after Log in (${e.message}); logs: ${recentLogs(p)}`); });
}

// A clinician from nothing: CLI user, set-password link, login. {name, email, ...browser}.
export async function clinicianThroughUi(server, name, email) {
  const p = await openBrowser(name);
  const token = await addUser(server, { name, email });
  await setPasswordThroughUi(p, server.url, token);
  await loginThroughUi(p, server.url, email);
  return { ...p, email };
}

// New visit from the dashboard: lands on the visit page; returns {link, visitId}.
export async function createVisitThroughUi(p, patientName) {
  const { page } = p;
  if (patientName) await page.getByLabel('Patient name (optional)', { exact: true }).fill(patientName);
  await page.getByRole('button', { name: 'New visit', exact: true }).click();
  const field = page.getByLabel('Link to send the patient', { exact: true });
  await field.waitFor({ timeout: UI_TIMEOUT });
  await page.getByRole('button', { name: 'Copy link', exact: true }).waitFor({ timeout: UI_TIMEOUT });
  const link = await field.inputValue();
  assert.match(link, /\/v\/[A-Za-z0-9_-]{22,}$/, `${p.name}: a patient link with >= 128 bits of token`);
  const visitId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  return { link, visitId };
}

export async function toDashboard(p) {
  await p.page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await p.page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor({ timeout: UI_TIMEOUT });
}

// The patient opens a link (/v/<token> or /c/<slug>), sees the device check, types a name, waits.
export async function patientWaits(p, url) {
  const { page } = p;
  await page.goto(url);
  await page.getByRole('heading', { name: 'Check your camera and sound', exact: true }).waitFor({ timeout: UI_TIMEOUT });
  await page.getByLabel('Your name', { exact: true }).fill(p.name);
  await page.getByRole('button', { name: 'Join the waiting room', exact: true }).click();
  await page.getByRole('heading', { name: /will let you in shortly$/ }).waitFor({ timeout: UI_TIMEOUT })
    .catch((e) => { throw new Error(`${p.name}: no waiting screen (${e.message}); logs: ${recentLogs(p)}`); });
}

// The row for a waiting person on a clinician's page (dashboard or visit page).
export function waitingRow(p, name) {
  return p.page.locator('li.waiting-entry').filter({ has: p.page.locator('.waiting-name', { hasText: name }) });
}

export async function inCall(p) {
  await p.page.getByRole('button', { name: 'End call', exact: true }).waitFor({ timeout: UI_TIMEOUT })
    .catch((e) => { throw new Error(`${p.name}: no call screen (${e.message}); logs: ${recentLogs(p)}`); });
}

// Received audio of the page: the sum over inbound audio streams of totalAudioEnergy and duration.
export function inboundAudio(page) {
  return page.evaluate(async () => {
    let energy = 0;
    let duration = 0;
    for (const pc of window.__medicallPcs || []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && (s.kind === 'audio' || s.mediaType === 'audio')) {
          energy += s.totalAudioEnergy || 0;
          duration += s.totalSamplesDuration || 0;
        }
      });
    }
    return { energy, duration };
  });
}

// Mean received audio power over `ms` (energy per second of audio).
export async function audioPower(page, ms) {
  const a = await inboundAudio(page);
  await new Promise((r) => setTimeout(r, ms));
  const b = await inboundAudio(page);
  const seconds = b.duration - a.duration;
  assert.ok(seconds > ms / 2000, `audio kept arriving (${seconds.toFixed(2)} s of samples in ${ms} ms)`);
  return (b.energy - a.energy) / seconds;
}

export { waitFor, UI_TIMEOUT };
