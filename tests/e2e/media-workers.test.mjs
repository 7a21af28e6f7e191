// Issue 14: several media workers (MEDICALL_MEDIA_WORKERS=2). Two meetings at once are placed on
// different workers, so their attendees reach different media ports (worker i: media port + i); both
// attendees of a meeting share their worker's port; media flows in both meetings (frames decoded,
// audio received); /metrics shows both workers busy and the summed counters.
// Runs headless Debian Chromium with the unmodified Chime SDK; the suite runs inside `unshare -n`.
import { after, before, describe, test } from 'node:test';
import { rm } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let webDir;
const browsers = [];

async function attendee(name, room) {
  const b = await launchBrowser();
  browsers.push(b);
  await b.page.goto(`${server.url}/`);
  const self = await b.page.evaluate(([n, r]) => window.sdkTest.join(n, r, {}), [name, room]);
  await waitFor(() => b.page.evaluate(() => window.sdkTest.state.started), {
    timeoutMs: 30000, what: `${name}: audioVideoDidStart (logs: ${b.logs.slice(-5).join(' | ')})`,
  });
  return { ...b, name, self, stats: () => b.page.evaluate(() => window.sdkTest.stats()) };
}

// Video frames decoding and growing, audio arriving; returns the server's port of the selected pair.
async function mediaFlows(a) {
  const decoded = async () => (await a.stats()).video.reduce((sum, v) => sum + (v.framesDecoded || 0), 0);
  const first = await waitFor(decoded, { timeoutMs: 30000, what: `${a.name}: decoded frames` });
  await waitFor(async () => (await decoded()) > first + 10, { timeoutMs: 20000, what: `${a.name}: frames growing` });
  const s = await waitFor(async () => {
    const st = await a.stats();
    return st.remoteCandidate && st.audio.some((x) => x.packetsReceived > 20) ? st : null;
  }, { timeoutMs: 20000, what: `${a.name}: audio received and a selected pair` });
  return s.remoteCandidate.port;
}

function metric(text, line) {
  const m = text.split('\n').find((l) => l.startsWith(`${line} `));
  return m === undefined ? undefined : Number(m.slice(line.length + 1));
}

before(async () => {
  webDir = await buildSdkPage();
  server = await startServer({ args: ['--web-dir', webDir], env: { MEDICALL_MEDIA_WORKERS: '2' }, logLevel: 'info' });
});

after(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
  if (webDir) await rm(webDir, { recursive: true, force: true });
});

describe('two media workers', () => {
  test('two meetings land on different workers, a meeting on one port, media flows in both', async () => {
    assert.match(server.output(), /2 media workers: media-0 UDP \d+ TCP \d+, media-1 UDP \d+ TCP \d+/);
    const stamp = Date.now();
    const a1 = await attendee('Alice', `w1-${stamp}`);
    const a2 = await attendee('Bob', `w1-${stamp}`);
    const b1 = await attendee('Carol', `w2-${stamp}`);
    const b2 = await attendee('Dan', `w2-${stamp}`);

    const [pa1, pa2, pb1, pb2] = await Promise.all([a1, a2, b1, b2].map(mediaFlows));
    assert.equal(pa1, pa2, 'both attendees of the first meeting on one worker port');
    assert.equal(pb1, pb2, 'both attendees of the second meeting on one worker port');
    assert.notEqual(pa1, pb1, 'the two meetings on different workers');
    const ports = [pa1, pb1].sort((x, y) => x - y);
    assert.deepEqual(ports, [server.mediaPort, server.mediaPort + 1], 'worker i on media port + i');

    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const w of ['0', '1']) {
      assert.equal(metric(text, `medicall_media_worker_meetings{worker="${w}"}`), 1, text);
      assert.ok(metric(text, `medicall_media_worker_transports{worker="${w}"}`) >= 2, text);
      assert.ok(metric(text, `medicall_media_worker_packets_in_total{worker="${w}"}`) > 100, text);
    }
    const total = metric(text, 'medicall_media_packets_in_total');
    const perWorker = ['0', '1'].map((w) => metric(text, `medicall_media_worker_packets_in_total{worker="${w}"}`));
    // Read a moment apart from the per-worker series: more than either worker alone shows the sum.
    assert.ok(total > Math.max(...perWorker), `the total sums the workers (${total} vs ${perWorker})`);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });
});
