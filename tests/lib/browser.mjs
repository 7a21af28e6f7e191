// Headless Debian Chromium through playwright-core, with the flags from environment.md:
// fake camera and microphone, loopback ICE allowed, no background networking, fresh profile.
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection',
];

// Launches one browser with its own profile; returns {context, page, close}.
// executablePath: another Chromium launcher (e.g. one that enters a test host's network namespace).
export async function launchBrowser({ extraArgs = [], executablePath = CHROMIUM } = {}) {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'medicall-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    permissions: ['camera', 'microphone'],
  });
  const page = context.pages()[0] || (await context.newPage());
  const logs = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  return {
    context,
    page,
    logs,
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
    },
  };
}

// Polls fn() until it returns a truthy value or the timeout passes; returns the last value.
export async function waitFor(fn, { timeoutMs = 20000, intervalMs = 250, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
}
