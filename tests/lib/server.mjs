// Starts the real MediCall server binary for a test suite: free HTTP and media ports, a fresh
// data directory (unless one is given), a clean environment (no stray AWS_* or .env), and a wait
// for /healthz. Usable by every suite:
//
//   import { startServer } from '../lib/server.mjs';
//   const server = await startServer({ credentials: { accessKeyId, secretAccessKey } });
//   ... fetch(`${server.url}/join`) ...
//   await server.kill9();           // SIGKILL, like a crash
//   await server.restart();         // same ports and data directory
//   await server.stop();            // SIGTERM, wait for exit; removes the temp data dir
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import dgram from 'node:dgram';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_BINARY = process.env.MEDICALL_BIN || path.join(REPO_ROOT, 'build', 'medicall');

export async function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    sock.on('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

// The first of `count` consecutive UDP ports free on loopback (a server with N media workers binds
// media port + 0..N-1, and the same numbers over TCP for ICE-TCP).
export async function freeUdpRange(count) {
  const bindUdp = (port) => new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.on('error', () => resolve(null));
    sock.bind(port, '127.0.0.1', () => resolve(sock));
  });
  const bindTcp = (port) => new Promise((resolve) => {
    const srv = net.createServer();
    srv.on('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freeUdpPort();
    if (base + count > 65535) continue;
    const held = [];
    let ok = true;
    for (let i = 0; i < count && ok; i++) {
      const u = await bindUdp(base + i);
      const t = u && (await bindTcp(base + i));
      if (u) held.push((cb) => u.close(cb));
      if (t) held.push((cb) => t.close(cb));
      ok = Boolean(u && t);
    }
    await Promise.all(held.map((close) => new Promise((r) => close(r))));
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free media ports`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// GET over HTTPS trusting `ca` (PEM): resolves with the status code.
// Without `ca` the certificate is not checked (a test that checks it itself, e.g. self-signed).
export function httpsStatus(url, ca) {
  return new Promise((resolve, reject) => {
    const options = { ca, rejectUnauthorized: ca !== undefined, timeout: 1000 };
    const req = https.get(url, options, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function waitHealthy(url, proc, logs, timeoutMs, tls) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`medicall exited (${proc.exitCode ?? proc.signalCode}) before /healthz:\n${logs.join('')}`);
    }
    try {
      const status = tls
        ? await httpsStatus(`${url}/healthz`, tls.ca)
        : (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).status;
      if (status === 200) return;
      lastError = new Error(`/healthz answered ${status}`);
    } catch (e) {
      lastError = e;
    }
    await sleep(50);
  }
  throw new Error(`medicall not healthy after ${timeoutMs} ms: ${lastError?.message}\n${logs.join('')}`);
}

// Options: credentials {accessKeyId, secretAccessKey} (omit: loopback-only API), args (extra
// flags, e.g. ['--max-attendees', '3']), env (extra environment), dataDir (reuse a directory),
// region (AWS_REGION, default us-east-1), timeoutMs (wait for /healthz), tls ({ca}: the server
// speaks HTTPS, e.g. with MEDICALL_TLS_CERT in env; url is https:// and /healthz trusts `ca`).
export async function startServer(options = {}) {
  if (!existsSync(SERVER_BINARY)) {
    throw new Error(`server binary not found at ${SERVER_BINARY}: run \`make build\` first (or set MEDICALL_BIN)`);
  }
  const port = await freeTcpPort();
  // One media worker (one port) unless the test asks for more: the server's default, one per core,
  // would also bind the ports after the one picked here, which need not be free.
  const workers = Number(options.env?.MEDICALL_MEDIA_WORKERS || 1) || 1;
  const mediaPort = workers > 1 ? await freeUdpRange(workers) : await freeUdpPort();
  const ownsDataDir = !options.dataDir;
  const dataDir = options.dataDir || (await mkdtemp(path.join(os.tmpdir(), 'medicall-data-')));
  // The working directory holds no .env, so only what we pass here configures the server.
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'medicall-cwd-'));
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME || os.tmpdir(),
    AWS_REGION: options.region || 'us-east-1',
    ...(options.credentials
      ? {
          AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
        }
      : {}),
    ...(options.env || {}),
  };
  const args = [
    '--port', String(port),
    '--media-port', String(mediaPort),
    ...(options.env?.MEDICALL_MEDIA_WORKERS ? [] : ['--media-workers', '1']),
    '--data-dir', dataDir,
    '--log-level', options.logLevel || 'warn',
    ...(options.args || []),
  ];
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const server = {
    port,
    mediaPort,
    dataDir,
    url,
    proc: null,
    logs: [],
    output() {
      return this.logs.join('');
    },
    async spawn() {
      this.logs = [];
      const proc = spawn(SERVER_BINARY, args, { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      proc.stdout.on('data', (d) => this.logs.push(d.toString()));
      proc.stderr.on('data', (d) => this.logs.push(d.toString()));
      this.proc = proc;
      this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
      try {
        await waitHealthy(url, proc, this.logs, options.timeoutMs || 20000, options.tls);
      } catch (e) {
        proc.kill('SIGKILL');
        throw e;
      }
      return this;
    },
    // SIGKILL: nothing gets a chance to flush; what was acknowledged must already be on disk.
    async kill9() {
      if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
      this.proc.kill('SIGKILL');
      await this.exited;
    },
    async restart() {
      await this.kill9();
      return this.spawn();
    },
    // SIGTERM and wait (SIGKILL after 10 s); returns {code, signal}. Removes temp directories.
    async stop() {
      let result = { code: this.proc?.exitCode, signal: this.proc?.signalCode };
      if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
        this.proc.kill('SIGTERM');
        const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10000);
        result = await this.exited;
        clearTimeout(timer);
      }
      await rm(workDir, { recursive: true, force: true }).catch(() => {});
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
      return result;
    },
  };
  return server.spawn();
}
