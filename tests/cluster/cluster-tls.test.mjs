// Two nodes sharing a redis-server that speaks TLS only (rediss://, its certificate from a throwaway
// CA the nodes trust through MEDICALL_REDIS_CA_FILE, its password from MEDICALL_REDIS_PASSWORD), and
// the refusals: a certificate from another CA, a plaintext port behind a rediss:// URL (never a
// fallback to the clear), TLS files that do not load. (Run inside `unshare -n` like every suite.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { waitFor } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { makeTestPki } from '../lib/test-pki.mjs';
import { startCluster, startRedis, startNode, join, roster, redisCommand } from './lib.mjs';

const cleanup = [];
after(async () => { for (const f of cleanup.reverse()) await f().catch(() => {}); });

test('two nodes on a TLS Redis: a room joined through node 1 is seen through node 2', async () => {
  const password = 'tls-s3cret';
  const { redis, node1, node2 } = await startCluster(cleanup, {
    env: { MEDICALL_REDIS_PASSWORD: password }, redisOptions: { tls: true, password } });
  assert.match(redis.url, /^rediss:\/\//);
  const first = await join(node1, 'tls-room', 'Dr Who');
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const second = await join(node2, 'tls-room', 'Nurse');
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.equal(second.body.JoinInfo.Meeting.MeetingId, first.body.JoinInfo.Meeting.MeetingId);
  const r1 = await roster(node1, 'tls-room');
  const r2 = await roster(node2, 'tls-room');
  assert.equal(r1.status, 200);
  assert.deepEqual(r1.body, r2.body);
  assert.equal(r2.body.roster[first.body.JoinInfo.Attendee.AttendeeId], 'Dr Who');
  assert.equal(r1.body.roster[second.body.JoinInfo.Attendee.AttendeeId], 'Nurse');
  // Both nodes registered themselves in that Redis, over TLS.
  const nodes = await redisCommand(redis, ['SMEMBERS medicall:nodes']);
  assert.match(nodes, /node-1/);
  assert.match(nodes, /node-2/);
});

test('a Redis certificate from another CA: the node says why, answers 503, retries with backoff', async () => {
  const redis = await startRedis({ tls: true });
  cleanup.push(() => redis.stop());
  const other = await makeTestPki(path.join(redis.dir, 'other-ca'));
  const node = await startNode(redis, 'untrusting', { MEDICALL_REDIS_CA_FILE: other.ca });
  cleanup.push(() => node.stop());
  const expected = new RegExp(`Redis at 127\\.0\\.0\\.1:${redis.port}/0 unreachable .*MEDICALL_REDIS_URL: TLS ` +
    `handshake with 127\\.0\\.0\\.1:${redis.port} failed: certificate verify failed: .*retrying with backoff`);
  await waitFor(() => expected.test(node.output()), { timeoutMs: 5000, what: `the log line ${expected}` });
  const r = await join(node, 'untrusted-room', 'A');
  assert.equal(r.status, 503, JSON.stringify(r.body));
  assert.match(r.body.message, /certificate verify failed|unavailable/);
  assert.equal((await fetch(`${node.url}/healthz`)).status, 200, 'the node keeps running');
  assert.equal(await redisCommand(redis, ['DBSIZE']), ':0\r\n', 'nothing was written');
});

test('rediss:// to a plaintext Redis port: a TLS handshake error, nothing sent in the clear', async () => {
  const plain = await startRedis({ appendOnly: false });
  cleanup.push(() => plain.stop());
  const pki = await makeTestPki(path.join(plain.dir, 'pki'));
  const node = await startServer({ env: { MEDICALL_REDIS_URL: `rediss://127.0.0.1:${plain.port}/0`,
    MEDICALL_REDIS_CA_FILE: pki.ca, MEDICALL_NODE_ID: 'tls-to-plain' }, logLevel: 'info' });
  cleanup.push(() => node.stop());
  await waitFor(() => new RegExp(`TLS handshake with 127\\.0\\.0\\.1:${plain.port} failed`).test(node.output()),
    { timeoutMs: 8000, what: 'the handshake error in the log' });
  assert.equal((await join(node, 'plain-room', 'A')).status, 503);
  assert.equal(await redisCommand(plain, ['DBSIZE']), ':0\r\n', 'no key written in the clear');
  const stats = await redisCommand(plain, ['INFO commandstats']);
  assert.doesNotMatch(stats, /cmdstat_(set|sadd|evalsha|eval|auth|publish|subscribe)/, stats);
});

test('TLS files that do not load, or without rediss://, stop the start-up with the reason', async () => {
  await assert.rejects(
    startServer({ env: { MEDICALL_REDIS_URL: 'rediss://127.0.0.1:6380/0',
      MEDICALL_REDIS_CA_FILE: '/nonexistent/ca.pem' }, timeoutMs: 5000 }),
    /exited \(1\)[\s\S]*MEDICALL_REDIS_CA_FILE: cannot load \/nonexistent\/ca\.pem/);
  await assert.rejects(
    startServer({ env: { MEDICALL_REDIS_URL: 'redis://127.0.0.1:6380/0',
      MEDICALL_REDIS_CA_FILE: '/etc/ssl/certs/ca-certificates.crt' }, timeoutMs: 5000 }),
    /exited \(1\)[\s\S]*are for rediss:\/\/ \(TLS\), but MEDICALL_REDIS_URL is redis:\/\//);
});
