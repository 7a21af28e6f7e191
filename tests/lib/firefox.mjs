// Headless Firefox ESR (Debian's firefox-esr) through puppeteer-core over WebDriver BiDi, with fake
// camera and microphone and no permission prompts, a fresh profile per browser. The returned object
// has the shape of lib/browser.mjs' launchBrowser(): {page, logs, close}; page.goto and
// page.evaluate(fn, arg) work the same for both browsers.
//
// Firefox gathers no ICE candidates in a network namespace without a default route: call
// ensureDefaultRoute() once (inside the test's own `unshare -n`) before a Firefox joins a call.
import puppeteer from 'puppeteer-core';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

export const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  // No background traffic: updates, telemetry, safe browsing, captive portal, remote settings.
  'app.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'toolkit.telemetry.enabled': false,
};

const VETH = 'mcff0';
const VETH_PEER = 'mcff1';
const VETH_PEER_ADDRESS = '10.231.0.2';
// The test host's own address on the veth pair. Firefox does not pair its candidates with a loopback
// server candidate (media.peerconnection.ice.loopback is off, as for a user), so a server under test
// with Firefox advertises this address (--public-ip); Chromium reaches it too.
export const TEST_HOST_ADDRESS = '10.231.0.1';

function ip(...args) {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Gives the current network namespace a veth pair with addresses and a default route via the peer
// end, so Firefox finds a usable interface and gathers host candidates. The pair's far end is in this
// same namespace and forwards nothing, so no packet can leave it. Refuses to touch a namespace that
// already has a default route (that would be the machine's real network, not a test namespace).
export function ensureDefaultRoute() {
  if (ip('route', 'show', 'default').trim() !== '') {
    if (ip('link', 'show').includes(`${VETH}@`)) return;
    throw new Error('ensureDefaultRoute: this namespace already has a default route; run the test inside `unshare -n`');
  }
  if (!ip('link', 'show').includes(`${VETH}@`)) {
    ip('link', 'add', VETH, 'type', 'veth', 'peer', 'name', VETH_PEER);
    ip('addr', 'add', `${TEST_HOST_ADDRESS}/30`, 'dev', VETH);
    ip('addr', 'add', `${VETH_PEER_ADDRESS}/30`, 'dev', VETH_PEER);
    ip('link', 'set', VETH, 'up');
    ip('link', 'set', VETH_PEER, 'up');
  }
  ip('route', 'add', 'default', 'via', VETH_PEER_ADDRESS, 'dev', VETH);
}

// Removes what ensureDefaultRoute() added (the route goes with the veth), so later suites in the same
// namespace see it as they found it.
export function removeDefaultRoute() {
  if (ip('link', 'show').includes(`${VETH}@`)) ip('link', 'del', VETH);
}

// Launches one Firefox with its own profile; returns {browser, page, logs, close}.
export async function launchFirefox({ prefs = {} } = {}) {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'medicall-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir,
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...prefs },
    protocolTimeout: 60000,
  });
  const page = (await browser.pages())[0] || (await browser.newPage());
  const logs = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  return {
    browser,
    page,
    logs,
    async close() {
      await browser.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
    },
  };
}
