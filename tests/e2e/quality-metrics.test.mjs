// Issue 16: /metrics carries media series, and they move when media flows. Two Chromium clients on
// the unmodified Chime SDK call each other on loopback; the figures are read before, during and
// after the call, and their values (not only their names) are checked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { framesDecodedBy } from '../lib/host-call.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';

let server;
const browsers = [];

async function metrics() {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const values = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

function value(m, name) {
  assert.ok(m.has(name), `/metrics has ${name}`);
  return m.get(name);
}

async function attendee(name, room) {
  const b = await launchBrowser();
  browsers.push(b);
  await b.page.goto(`${server.url}/`);
  const self = await b.page.evaluate(([n, r]) => window.sdkTest.join(n, r, {}), [name, room]);
  await waitFor(() => b.page.evaluate(() => window.sdkTest.state.started), { timeoutMs: 30000, what: `${name} started` });
  return { ...b, name, self, stats: () => b.page.evaluate(() => window.sdkTest.stats()) };
}

before(async () => {
  server = await startServer({ args: ['--web-dir', await buildSdkPage()] });
});

after(async () => {
  while (browsers.length) await browsers.pop().close();
  await server?.stop();
});

describe('/metrics media series', () => {
  test('packets, bytes, mixer ticks, transports and client metrics move during a call; counters never go back', async () => {
    const idle = await metrics();
    assert.equal(value(idle, 'medicall_media_transports_active'), 0);
    assert.equal(value(idle, 'medicall_media_rtp_packets_total{stream="video_in"}'), 0);

    const room = `metrics-${Date.now()}`;
    const alice = await attendee('Alice', room);
    const bob = await attendee('Bob', room);
    await waitFor(async () => (await framesDecodedBy(alice)) > 30 && (await framesDecodedBy(bob)) > 30,
      { timeoutMs: 30000, what: 'both decoding' });

    const first = await metrics();
    await new Promise((r) => setTimeout(r, 5000));
    const second = await metrics();
    const grew = (name) => value(second, name) - value(first, name);
    // Published once a second by the worker: about 4-6 s of traffic between the two reads.
    assert.equal(value(second, 'medicall_media_transports_active'), 2);
    assert.ok(grew('medicall_media_rtp_packets_total{stream="video_in"}') > 100, 'video received');
    assert.ok(grew('medicall_media_rtp_packets_total{stream="video_out"}') > 100, 'video forwarded');
    assert.ok(grew('medicall_media_rtp_packets_total{stream="audio_in"}') > 300, 'audio in from two clients at 50/s');
    assert.ok(grew('medicall_media_rtp_packets_total{stream="audio_out"}') > 300, 'mixed audio out to two clients');
    assert.ok(grew('medicall_media_bytes_in_total') > 50000, 'bytes in');
    assert.ok(grew('medicall_media_bytes_out_total') > 50000, 'bytes out');
    assert.ok(grew('medicall_media_mixer_ticks_total') >= 150, 'mixer ticks at 50/s');
    const tickSeconds = grew('medicall_media_mixer_tick_seconds_sum');
    const ticks = grew('medicall_media_mixer_tick_seconds_count');
    assert.ok(tickSeconds > 0 && tickSeconds / ticks < 0.02, `mean tick time ${tickSeconds / ticks} s`);
    assert.ok(grew('medicall_client_metrics_total{result="accepted"}') >= 4, 'CLIENT_METRIC at 1 Hz from each client');
    assert.equal(value(second, 'medicall_client_metrics_total{result="dropped"}'), 0);
    const lag = value(second, 'medicall_media_worker_loop_lag_seconds');
    assert.ok(lag >= 0 && lag < 0.5, `loop lag ${lag} s`);
    assert.ok(value(second, 'medicall_media_worker_loop_lag_max_seconds') >= lag);
    for (const reason of ['unknown_kind', 'bad_stun', 'unknown_ufrag', 'unknown_address', 'unknown_stream',
      'foreign_ssrc', 'audio_rejected']) {
      assert.ok(value(second, `medicall_media_dropped_total{reason="${reason}"}`) >= 0);
    }
    assert.equal(value(second, 'medicall_media_dtls_failures_total{reason="handshake"}'), 0);
    assert.ok(value(second, 'medicall_media_plis_total{direction="sent"}') >= 1, 'a keyframe was asked for at the start');

    await alice.page.evaluate(() => window.sdkTest.leave());
    await bob.page.evaluate(() => window.sdkTest.leave());
    const gone = await waitFor(async () => {
      const m = await metrics();
      return m.get('medicall_media_transports_active') === 0 ? m : null;
    }, { timeoutMs: 20000, what: 'transports gone after leaving' });
    for (const name of ['medicall_media_rtp_packets_total{stream="video_in"}', 'medicall_media_mixer_ticks_total',
      'medicall_media_rtp_packets_total{stream="audio_out"}']) {
      assert.ok(value(gone, name) >= value(second, name), `${name} did not go back once the meeting's media went`);
    }
  });
});
