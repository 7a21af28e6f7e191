// Two MediCall nodes sharing a real redis-server (Debian's redis-server, started here on a free
// loopback port with its files in a temp dir). A missing redis-server fails the test. With `tls` it
// listens for TLS only (rediss://) with a certificate from a throwaway CA (redis.pki.ca), which the
// nodes are told to trust (MEDICALL_REDIS_CA_FILE); with `password` it wants AUTH.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { freeTcpPort, startServer } from '../lib/server.mjs';
import { makeTestPki } from '../lib/test-pki.mjs';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Sends `commands` (inline, then QUIT) and resolves with Redis's replies to them, '' when it could
// not be reached.
export function redisCommand(redis, commands) {
  return new Promise((resolve) => {
    const host = '127.0.0.1';
    const s = redis.pki ? tls.connect({ host, port: redis.port, ca: readFileSync(redis.pki.ca) })
      : net.connect(redis.port, host);
    const auth = redis.password ? `AUTH ${redis.password}\r\n` : '';
    s.on(redis.pki ? 'secureConnect' : 'connect', () => s.write(`${auth}${commands.join('\r\n')}\r\nQUIT\r\n`));
    let text = '';
    const done = () => {
      if (auth && text.startsWith('+OK\r\n')) text = text.slice(5);
      resolve(text.endsWith('+OK\r\n') ? text.slice(0, -5) : text);
    };
    s.on('data', (d) => { text += d.toString(); });
    s.on('close', done);
    s.on('error', () => { text = ''; });
    s.setTimeout(2000, () => s.destroy());
  });
}

export async function startRedis({ appendOnly = true, fsync = 'always', start = true, tls: useTls = false,
  password = '' } = {}) {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} missing: apt-get install redis-server (scripts/install-deps.sh)`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'medicall-redis-'));
  const port = await freeTcpPort();
  const pki = useTls ? await makeTestPki(path.join(dir, 'pki')) : null;
  const redis = {
    port, dir, proc: null, pki, password,
    url: `${useTls ? 'rediss' : 'redis'}://127.0.0.1:${port}/0`,
    async start() {
      const listen = pki ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', pki.cert,
        '--tls-key-file', pki.key, '--tls-ca-cert-file', pki.ca, '--tls-auth-clients', 'no'] : ['--port', String(port)];
      this.proc = spawn(REDIS_SERVER, ['--bind', '127.0.0.1', ...listen, '--dir', dir, '--save', '',
        '--appendonly', appendOnly ? 'yes' : 'no', '--appendfsync', fsync, '--daemonize', 'no',
        ...(password ? ['--requirepass', password] : [])], { stdio: 'ignore' });
      this.exited = new Promise((r) => this.proc.once('exit', r));
      for (let i = 0; i < 100; i++) {
        if ((await redisCommand(this, ['PING'])).includes('+PONG')) return this;
        await sleep(100);
      }
      throw new Error('redis-server did not answer PING');
    },
    async kill9() {
      if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
        this.proc.kill('SIGKILL');
        await this.exited;
      }
    },
    async stop() {
      await this.kill9();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return start ? redis.start() : redis;
}

export async function startNode(redis, name, env = {}, args = []) {
  const trust = redis.pki ? { MEDICALL_REDIS_CA_FILE: redis.pki.ca } : {};
  return startServer({ env: { MEDICALL_REDIS_URL: redis.url, MEDICALL_NODE_ID: name, ...trust, ...env }, args,
    logLevel: 'info' });
}

// Two nodes on one Redis (started with `redisOptions`); `cleanup` collects what the test's after() stops.
export async function startCluster(cleanup, { env = {}, args = [], redisOptions = {} } = {}) {
  const redis = await startRedis(redisOptions);
  cleanup.push(() => redis.stop());
  const node1 = await startNode(redis, 'node-1', env, args);
  cleanup.push(() => node1.stop());
  const node2 = await startNode(redis, 'node-2', env, args);
  cleanup.push(() => node2.stop());
  await sleep(500);  // both heartbeats are in
  return { redis, node1, node2, nodes: [node1, node2] };
}

// A new room whose meeting is placed on `wanted`, created through `via` (new rooms until one lands).
export async function roomOn(via, wanted, nodes, prefix) {
  for (let i = 0; i < 40; i++) {
    const room = `${prefix}-${Date.now()}-${i}`;
    const r = await join(via, room, 'probe');
    if (r.status !== 200) throw new Error(`/join answered ${r.status}: ${JSON.stringify(r.body)}`);
    if (hostOf(r.body.JoinInfo, nodes) === wanted) return { room, info: r.body.JoinInfo };
  }
  throw new Error(`no room landed on ${wanted.url}`);
}

// Signaling sessions a node serves itself (the /metrics gauge).
export async function connectedOn(node) {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const m = /medicall_signaling_attendees_connected (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

export async function join(node, roomId, name) {
  const res = await fetch(`${node.url}/join`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, roomId }),
  });
  const body = await res.json();
  return { status: res.status, body };
}

// Which node hosts a meeting: its AudioHostUrl names that node's media port.
export function hostOf(joinInfo, nodes) {
  const audio = joinInfo.Meeting.MediaPlacement.AudioHostUrl;
  return nodes.find((n) => audio.endsWith(`:${n.mediaPort}`));
}

export async function roster(node, roomId) {
  const res = await fetch(`${node.url}/api/roster/${roomId}`);
  return { status: res.status, body: await res.json() };
}
