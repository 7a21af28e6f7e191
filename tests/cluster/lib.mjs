// Two MediCall nodes sharing a real redis-server (Debian's redis-server, started here on a free
// loopback port with its files in a temp dir). A missing redis-server fails the test.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { freeTcpPort, startServer } from '../lib/server.mjs';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function ping(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => { s.destroy(); resolve(d.toString().startsWith('+PONG')); });
    s.on('error', () => resolve(false));
  });
}

export async function startRedis({ appendOnly = true, fsync = 'always', start = true } = {}) {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} missing: apt-get install redis-server (scripts/install-deps.sh)`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'medicall-redis-'));
  const port = await freeTcpPort();
  const redis = {
    port, dir, proc: null,
    url: `redis://127.0.0.1:${port}/0`,
    async start() {
      this.proc = spawn(REDIS_SERVER, ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '',
        '--appendonly', appendOnly ? 'yes' : 'no', '--appendfsync', fsync, '--daemonize', 'no'], { stdio: 'ignore' });
      this.exited = new Promise((r) => this.proc.once('exit', r));
      for (let i = 0; i < 100; i++) {
        if (await ping(port)) return this;
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
  return startServer({ env: { MEDICALL_REDIS_URL: redis.url, MEDICALL_NODE_ID: name, ...env }, args, logLevel: 'info' });
}

// Two nodes on one Redis; `cleanup` collects what the test's after() stops.
export async function startCluster(cleanup, { env = {}, args = [] } = {}) {
  const redis = await startRedis();
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
