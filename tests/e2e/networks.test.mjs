// Issue 10: a call between two people on two other machines. The server runs in the suite's network
// namespace; each browser runs in a host namespace of its own (tests/lib/netns.mjs), reaching the
// server over a veth link and the suite's routing, as a client on another machine would. The
// server's candidates are its interface addresses (no 127.0.0.1 candidate reaches these hosts).
//   - both on UDP: video decodes both ways over a UDP pair;
//   - UDP blocked on one host (nftables): that browser connects over ICE-TCP (RFC 6544), the
//     selected pair is TCP, video still decodes both ways;
//   - TURN configured (coturn, with deploy/coturn/turnserver.conf): JOIN_ACK carries TURN REST
//     credentials, the SDK forces relay-only ICE, and the call runs through the relay (the UDP-blocked
//     host over TURN/TCP).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../lib/browser.mjs';
import { decodesVideoOf, insecureOriginAsSecure, sdkAttendeeOn } from '../lib/host-call.mjs';
import { BLOCK_UDP, createHost } from '../lib/netns.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { freeTcpPort, REPO_ROOT, startServer } from '../lib/server.mjs';

let server;
let webDir;
const hosts = [];
const browsers = [];



function attendeeOn(host, name, room, via = server) {
  const origin = `http://${host.gateway}:${via.port}`;
  return sdkAttendeeOn(host, { name, room, origin, browsers, extraArgs: insecureOriginAsSecure(origin) });
}

async function selectedPair(a) {
  return waitFor(async () => {
    const s = await a.stats();
    return s.pair && s.pair.state === 'succeeded' && s.localCandidate && s.remoteCandidate
      ? { local: s.localCandidate, remote: s.remoteCandidate } : null;
  }, { timeoutMs: 20000, what: `${a.name}: a selected candidate pair` });
}

async function closeBrowsers() {
  while (browsers.length) await browsers.pop().close();
}

before(async () => {
  hosts.push(await createHost(1), await createHost(2));
  webDir = await buildSdkPage();
  server = await startServer({ args: ['--web-dir', webDir] });
});

after(async () => {
  await closeBrowsers();
  await server?.stop();
  for (const h of hosts) await h.close();
});

describe('two people on two other machines', () => {
  test('a call over UDP between two hosts: video both ways, the pair is UDP to an interface address', async () => {
    const room = `hosts-udp-${Date.now()}`;
    const alice = await attendeeOn(hosts[0], 'Alice', room);
    const bob = await attendeeOn(hosts[1], 'Bob', room);
    await decodesVideoOf(alice, bob);
    await decodesVideoOf(bob, alice);
    for (const [a, host] of [[alice, hosts[0]], [bob, hosts[1]]]) {
      const pair = await selectedPair(a);
      assert.equal(pair.local.protocol, 'udp', `${a.name}: ${JSON.stringify(pair)}`);
      assert.equal(pair.local.address, host.ip);
      assert.match(pair.remote.address, /^10\.77\.\d+\.1$/, 'the server offered its interface address');
    }
    await closeBrowsers();
  });

  test('UDP blocked on one host: that browser connects over ICE-TCP and video flows both ways', async () => {
    await hosts[0].nft(BLOCK_UDP);
    try {
      const room = `hosts-tcp-${Date.now()}`;
      const alice = await attendeeOn(hosts[0], 'Alice', room);
      const bob = await attendeeOn(hosts[1], 'Bob', room);
      await decodesVideoOf(alice, bob);
      await decodesVideoOf(bob, alice);
      const alicePair = await selectedPair(alice);
      assert.equal(alicePair.local.protocol, 'tcp', JSON.stringify(alicePair));
      assert.equal(alicePair.remote.protocol, 'tcp');
      assert.equal(alicePair.remote.tcpType, 'passive');
      const bobPair = await selectedPair(bob);
      assert.equal(bobPair.local.protocol, 'udp', 'UDP is preferred where it works');
    } finally {
      await closeBrowsers();
      await hosts[0].flushNft();
    }
  });

  test('TURN configured: both relay through coturn, the UDP-blocked host over TURN/TCP', async () => {
    const secret = randomBytes(16).toString('hex');
    const turnPort = await freeTcpPort();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'medicall-coturn-'));
    // The repository's production configuration, with this test's secret, realm and addresses; the
    // server's own (private) addresses are the only private peers allowed.
    const conf = (await readFile(path.join(REPO_ROOT, 'deploy/coturn/turnserver.conf'), 'utf8'))
      .replace(/^static-auth-secret=.*$/m, `static-auth-secret=${secret}`)
      .replace(/^realm=.*$/m, 'realm=medicall.test')
      .replace(/^listening-port=.*$/m, `listening-port=${turnPort}`)
      + ['listening-ip=10.77.1.1', 'relay-ip=10.77.1.1', 'allowed-peer-ip=10.77.1.1', 'allowed-peer-ip=10.77.2.1',
        'no-tls', 'no-dtls', 'log-file=stdout', 'simple-log', 'pidfile=' + path.join(dir, 'turn.pid'), ''].join('\n');
    assert.match(conf, /denied-peer-ip=10\.0\.0\.0-10\.255\.255\.255/, 'the shipped config denies private peers');
    await writeFile(path.join(dir, 'turnserver.conf'), conf);
    const coturnLogs = [];
    const coturn = spawn('turnserver', ['-c', path.join(dir, 'turnserver.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    coturn.stdout.on('data', (d) => coturnLogs.push(d.toString()));
    coturn.stderr.on('data', (d) => coturnLogs.push(d.toString()));
    await waitFor(() => new Promise((resolve) => {
      const s = net.connect(turnPort, '10.77.1.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    }), { timeoutMs: 10000, what: 'coturn listening' });
    const turnServer = await startServer({
      args: ['--web-dir', webDir],
      env: {
        MEDICALL_TURN_URIS: `turn:10.77.1.1:${turnPort}?transport=udp,turn:10.77.1.1:${turnPort}?transport=tcp`,
        MEDICALL_TURN_SECRET: secret,
      },
    });
    await hosts[0].nft(BLOCK_UDP);
    try {
      const room = `hosts-turn-${Date.now()}`;
      const alice = await attendeeOn(hosts[0], 'Alice', room, turnServer);
      const bob = await attendeeOn(hosts[1], 'Bob', room, turnServer);
      await decodesVideoOf(alice, bob);
      await decodesVideoOf(bob, alice);
      const alicePair = await selectedPair(alice);
      assert.equal(alicePair.local.candidateType, 'relay', JSON.stringify(alicePair));
      assert.equal(alicePair.local.relayProtocol, 'tcp', 'UDP is blocked on this host: TURN over TCP');
      const bobPair = await selectedPair(bob);
      assert.equal(bobPair.local.candidateType, 'relay', 'the SDK forces relay-only ICE with TURN credentials');
    } catch (e) {
      e.message += `\ncoturn: ${coturnLogs.join('').slice(-3000)}`;
      throw e;
    } finally {
      await closeBrowsers();
      await hosts[0].flushNft();
      await turnServer.stop();
      coturn.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
