// /join latency and throughput: 1000 joins (200 rooms, 5 attendees each) against one node on
// SQLite (synchronous=FULL) and one node on Redis (appendonly yes, appendfsync always), sequential for latency, then
// 8 concurrent clients for throughput. Loopback only; run inside a private network namespace:
//   unshare -n bash -c 'ip link set lo up && node bench/join-latency.mjs'
// (MEDICALL_BIN names the binary; default build/medicall.)
import { startServer } from '../tests/lib/server.mjs';
import { startRedis } from '../tests/cluster/lib.mjs';

const JOINS = 1000;
const ROOMS = 200;
const CONCURRENCY = 8;

async function joinOnce(url, i, prefix) {
  const started = process.hrtime.bigint();
  const res = await fetch(`${url}/join`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `P${i}`, roomId: `${prefix}-${i % ROOMS}` }),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`/join answered ${res.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function measure(label, server) {
  const latencies = [];
  for (let i = 0; i < JOINS; i++) latencies.push(await joinOnce(server.url, i, `seq-${label}`));
  latencies.sort((a, b) => a - b);
  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < JOINS) await joinOnce(server.url, next++, `par-${label}`);
  }));
  const seconds = (Date.now() - started) / 1000;
  return { store: label, p50: pct(latencies, 50).toFixed(2), p99: pct(latencies, 99).toFixed(2),
    joinsPerSecond: Math.round(JOINS / seconds) };
}

const results = [];
const sqlite = await startServer({});
results.push(await measure('sqlite', sqlite));
await sqlite.stop();
const redis = await startRedis({ appendOnly: true });
const node = await startServer({ env: { MEDICALL_REDIS_URL: redis.url, MEDICALL_NODE_ID: 'bench' } });
results.push(await measure('redis', node));
await node.stop();
await redis.stop();
console.log('| store | /join p50 (ms) | /join p99 (ms) | joins/s (8 concurrent) |');
console.log('| --- | --- | --- | --- |');
for (const r of results) console.log(`| ${r.store} | ${r.p50} | ${r.p99} | ${r.joinsPerSecond} |`);
