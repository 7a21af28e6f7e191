// End-to-end proof of the WebRTC stack against real peers, through POST /test/echo:
//  - headless Chromium (fake camera + microphone) sends audio + video; the server decrypts and
//    sends it back on its own SSRCs; getStats() must show echoed video decoding (framesDecoded
//    grows), echoed audio arriving with energy, and the selected pair's remote candidate on the
//    server's media port; once per SRTP profile (forced with /test/echo?srtp=gcm|cm, a test-only
//    switch of the endpoint, and checked against the browser's transport stats);
//  - a burst of random and truncated datagrams at the media port during a call leaves the call
//    decoding and the server alive;
//  - aiortc (python3-aiortc) as a second, independent WebRTC implementation.
// The server is the real binary (build/medicall --enable-test-echo).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { SERVER_BINARY, startServer } from '../lib/server.mjs';

async function startEchoServer() {
  const server = await startServer({ args: ['--enable-test-echo'], logLevel: 'info' });
  const probe = await fetch(`${server.url}/test/echo`, { method: 'POST', body: 'x' });
  assert.equal(probe.status, 400, 'the echo endpoint refuses a non-SDP offer');
  return Object.assign(server, { binary: SERVER_BINARY });
}

// Runs in the page: camera + microphone to /test/echo, remote tracks rendered.
async function pageStartCall({ srtp }) {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 320, height: 240, frameRate: 15 },
  });
  const pc = new RTCPeerConnection();
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  pc.ontrack = (e) => {
    const el = document.createElement(e.track.kind === 'video' ? 'video' : 'audio');
    el.autoplay = true;
    el.muted = e.track.kind === 'video';
    el.srcObject = new MediaStream([e.track]);
    document.body.appendChild(el);
  };
  await pc.setLocalDescription(await pc.createOffer());
  const res = await fetch(`/test/echo?srtp=${srtp}`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: pc.localDescription.sdp,
  });
  const answer = await res.text();
  if (!res.ok) throw new Error(`/test/echo ${res.status}: ${answer}`);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  window.__pc = pc;
  return answer;
}

async function pageStats() {
  const stats = await window.__pc.getStats();
  const out = { framesDecoded: 0, audioPackets: 0, audioEnergy: 0, state: window.__pc.connectionState };
  let transport;
  stats.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') out.framesDecoded += s.framesDecoded || 0;
    if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      out.audioPackets += s.packetsReceived || 0;
      out.audioEnergy += s.totalAudioEnergy || 0;
      out.audioSamples = (out.audioSamples || 0) + (s.totalSamplesReceived || 0);
      out.audioConcealed = (out.audioConcealed || 0) + (s.concealedSamples || 0);
    }
    if (s.type === 'transport') transport = s;
  });
  if (transport) {
    out.srtpCipher = transport.srtpCipher;
    out.dtlsState = transport.dtlsState;
    const pair = stats.get(transport.selectedCandidatePairId);
    const remote = pair && stats.get(pair.remoteCandidateId);
    if (remote) out.remote = { address: remote.address || remote.ip, port: remote.port, type: remote.candidateType };
  }
  return out;
}

// As Chromium names them in RTCTransportStats.srtpCipher.
const CIPHER = { gcm: 'SRTP_AEAD_AES_128_GCM', cm: 'SRTP_AES128_CM_HMAC_SHA1_80' };

async function chromiumCall(server, srtp) {
  const browser = await launchBrowser();
  try {
    await browser.page.goto(`${server.url}/`);
    const answer = await browser.page.evaluate(pageStartCall, { srtp });
    assert.match(answer, /a=ice-lite/);
    const first = await waitFor(
      async () => {
        const s = await browser.page.evaluate(pageStats);
        return s.framesDecoded > 10 && s.audioPackets > 20 ? s : null;
      },
      { timeoutMs: 30000, what: `echoed media (${srtp})` },
    );
    await new Promise((r) => setTimeout(r, 2000));
    const later = await browser.page.evaluate(pageStats);
    return { browser, answer, first, later };
  } catch (e) {
    const stats = await fetch(`${server.url}/test/echo/stats`).then((r) => r.text()).catch(() => '?');
    await browser.close();
    e.message += `\nbrowser logs:\n${browser.logs.join('\n')}\nserver stats: ${stats}\nserver log:\n${server.output()}`;
    throw e;
  }
}

describe('echo endpoint (WebRTC transport end to end)', () => {
  let server;
  before(async () => {
    server = await startEchoServer();
    console.log(`echo server: ${server.binary} (http ${server.port}, media ${server.mediaPort})`);
  });
  after(async () => {
    await server?.stop();
  });

  for (const srtp of ['gcm', 'cm']) {
    test(`Chromium audio+video loopback, ${CIPHER[srtp]}`, async () => {
      const { browser, first, later } = await chromiumCall(server, srtp);
      try {
        assert.equal(later.state, 'connected');
        assert.equal(later.dtlsState, 'connected');
        assert.equal(later.srtpCipher, CIPHER[srtp]);
        assert.ok(later.framesDecoded > first.framesDecoded, `video keeps decoding: ${JSON.stringify([first, later])}`);
        assert.ok(later.audioPackets > first.audioPackets, 'audio keeps arriving');
        assert.ok(later.audioEnergy > 0, `echoed audio carries the fake microphone beep: ${JSON.stringify(later)}`);
        assert.equal(later.remote?.port, server.mediaPort, `selected pair: ${JSON.stringify(later.remote)}`);
        assert.equal(later.remote?.address, '127.0.0.1');
      } finally {
        await browser.close();
      }
    });
  }

  test('malformed datagram burst during a call: call keeps decoding, server stays up', async () => {
    const { browser, answer, later: before } = await chromiumCall(server, 'gcm');
    const sock = dgram.createSocket('udp4');
    try {
      const ufrag = /a=ice-ufrag:(\S+)/.exec(answer)[1];
      const send = (buf) => new Promise((r) => sock.send(buf, server.mediaPort, '127.0.0.1', () => r()));
      // A well-formed STUN binding request aimed at the live session's ufrag, wrong password.
      const user = Buffer.from(`${ufrag}:evil`);
      const pad = (4 - (user.length % 4)) % 4;
      const stunBody = Buffer.concat([
        Buffer.from([0x00, 0x06, 0, user.length]), user, Buffer.alloc(pad),
        Buffer.from([0x00, 0x08, 0, 20]), crypto.randomBytes(20),
      ]);
      const stun = Buffer.concat([
        Buffer.from([0x00, 0x01, stunBody.length >> 8, stunBody.length & 0xff, 0x21, 0x12, 0xa4, 0x42]),
        crypto.randomBytes(12), stunBody,
      ]);
      const templates = [
        stun,
        Buffer.concat([Buffer.from([22, 0xfe, 0xfd]), crypto.randomBytes(120)]),     // DTLS-looking
        Buffer.concat([Buffer.from([0x80, 96]), crypto.randomBytes(1000)]),         // RTP-looking
        Buffer.concat([Buffer.from([0x80, 200, 0, 6]), crypto.randomBytes(24)]),    // RTCP-looking
      ];
      for (let i = 0; i < 3000; i++) {
        let d;
        const kind = i % 6;
        if (kind < 4) {
          const t = templates[kind];
          d = t.subarray(0, crypto.randomInt(0, t.length + 1));                    // truncated
          if (i % 12 < 6 && d.length > 4) d = Buffer.from(d), (d[crypto.randomInt(4, d.length)] ^= 0xff);
        } else if (kind === 4) {
          d = crypto.randomBytes(crypto.randomInt(0, 1500));                      // random
        } else {
          d = Buffer.concat([Buffer.from([crypto.randomInt(0, 4)]), crypto.randomBytes(crypto.randomInt(0, 64))]);
        }
        await send(d);
      }
      await new Promise((r) => setTimeout(r, 3000));
      const after = await browser.page.evaluate(pageStats);
      assert.equal(after.state, 'connected');
      assert.ok(after.framesDecoded > before.framesDecoded + 10, `still decoding: ${JSON.stringify([before, after])}`);
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      const stats = await (await fetch(`${server.url}/test/echo/stats`)).json();
      const d = stats.demuxer;
      assert.ok(d.unknownKind + d.badStun + d.unknownAddress > 1000, `drops counted: ${JSON.stringify(d)}`);
      const session = stats.sessions.find((s) => s.id === ufrag);
      assert.ok(session?.connected, JSON.stringify(stats.sessions));
    } finally {
      sock.close();
      await browser.close();
    }
  });

  test('aiortc peer: audio+video loopback', async () => {
    const python = '/usr/bin/python3';
    // scripts/install-deps.sh installs python3-aiortc: a missing one is a failure, not a skip.
    const probe = spawn(python, ['-c', 'import aiortc'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let probeErr = '';
    probe.stderr.on('data', (d) => (probeErr += d));
    const ok = await new Promise((r) => {
      probe.once('error', () => r(false));
      probe.once('exit', (c) => r(c === 0));
    });
    assert.ok(ok, `${python} cannot import aiortc (apt-get install python3-aiortc, see scripts/install-deps.sh): ${probeErr}`);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'medicall-aiortc-'));
    const script = path.join(dir, 'peer.py');
    await writeFile(script, AIORTC_PEER);
    try {
      const out = await new Promise((resolve, reject) => {
        const p = spawn(python, [script, `${server.url}/test/echo`], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => p.kill('SIGKILL'), 40000);
        p.once('exit', (code) => {
          clearTimeout(timer);
          if (code === 0) resolve(JSON.parse(stdout.trim().split('\n').pop()));
          else reject(new Error(`aiortc peer exited ${code}\n${stdout}\n${stderr}\nserver:\n${server.output()}`));
        });
      });
      assert.ok(out.videoFrames >= 10, JSON.stringify(out));
      assert.ok(out.audioFrames >= 20, JSON.stringify(out));
      assert.equal(out.remotePort, server.mediaPort);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// aiortc peer: offers audio + video (its synthetic tracks), POSTs to the echo endpoint, counts
// the frames it decodes from the echoed tracks for a few seconds and prints a JSON line.
// Workaround (environment.md): aioice skips loopback addresses, so host addresses are patched.
const AIORTC_PEER = String.raw`
import asyncio, json, sys, urllib.request
import aioice.ice
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack, MediaStreamError

async def consume(track, counts, key):
    try:
        while True:
            await track.recv()
            counts[key] += 1
    except MediaStreamError:
        pass

async def main(url):
    pc = RTCPeerConnection()
    counts = {"videoFrames": 0, "audioFrames": 0}
    tasks = []
    @pc.on("track")
    def on_track(track):
        tasks.append(asyncio.ensure_future(consume(track, counts, "videoFrames" if track.kind == "video" else "audioFrames")))
    pc.addTrack(AudioStreamTrack())
    pc.addTrack(VideoStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    req = urllib.request.Request(url + "?srtp=cm", data=pc.localDescription.sdp.encode(), method="POST",
                                 headers={"content-type": "application/sdp"})
    answer = await asyncio.get_event_loop().run_in_executor(None, lambda: urllib.request.urlopen(req, timeout=10).read().decode())
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    for _ in range(100):
        await asyncio.sleep(0.1)
        if counts["videoFrames"] >= 10 and counts["audioFrames"] >= 20:
            break
    pair = pc.getTransceivers()[0].receiver.transport.transport._connection._nominated
    remote_port = None
    for p in pair.values():
        remote_port = p.remote_candidate.port
    counts["remotePort"] = remote_port
    counts["state"] = pc.connectionState
    await pc.close()
    for t in tasks:
        t.cancel()
    print(json.dumps(counts))

asyncio.run(main(sys.argv[1]))
`;
