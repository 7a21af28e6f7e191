// The unmodified amazon-chime-sdk-js in Chromium against two MediCall nodes sharing Redis: a call
// hosted on one node and joined through the other, DeleteMeeting reaching the host, a node killed
// mid-call, a node drained mid-call, and Redis restarted mid-call. Runs inside `unshare -n`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { framesDecodedBy } from '../lib/host-call.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startCluster, roomOn, join, hostOf, connectedOn, sleep } from './lib.mjs';

let webDir;
const cleanup = [];
const browsers = [];
before(async () => { webDir = await buildSdkPage(); });
after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  for (const f of cleanup.reverse()) await f().catch(() => {});
});

// A Chromium on `on`'s page joining `room` through `on`'s /join.
async function attendee(name, room, on) {
  const b = await launchBrowser();
  browsers.push(b);
  await b.page.goto(`${on.url}/`);
  const self = await b.page.evaluate(([n, r]) => window.sdkTest.join(n, r, {}), [name, room]);
  const a = { ...b, name, self, state: () => b.page.evaluate(() => window.sdkTest.state),
    stats: () => b.page.evaluate(() => window.sdkTest.stats()) };
  await waitFor(() => b.page.evaluate(() => window.sdkTest.state.started), {
    timeoutMs: 40000, what: `${name}: audioVideoDidStart (logs: ${b.logs.slice(-5).join(' | ')})`,
  });
  return a;
}

// `a` decodes video again and again (frames keep growing), within `timeoutMs`.
async function decoding(a, timeoutMs = 30000) {
  const first = await framesDecodedBy(a);
  await waitFor(async () => (await framesDecodedBy(a)) > first + 20, { timeoutMs, what: `${a.name}: frames growing` });
}

async function messageGoesThrough(from, to, timeoutMs = 30000) {
  const text = `hello ${Date.now()}`;
  await waitFor(async () => {
    await from.page.evaluate((t) => window.sdkTest.send(t), text);
    return (await to.state()).messages.find((m) => m.text === text);
  }, { timeoutMs, intervalMs: 1000, what: `${to.name}: a data message from ${from.name}` });
}

async function call(room, via) {
  const alice = await attendee('Alice', room, via);
  const bob = await attendee('Bob', room, via);
  await Promise.all([decoding(alice), decoding(bob)]);
  return [alice, bob];
}

async function closeAll(list) {
  for (const b of list) await b.close().catch(() => {});
}

test('a call hosted on node 2, joined through node 1: video both ways; DeleteMeeting through node 1 ends it', async () => {
  const { node1, node2, nodes } = await startCluster(cleanup, { args: ['--web-dir', webDir] });
  const { room, info } = await roomOn(node1, node2, nodes, 'sdk-delete');
  const [alice, bob] = await call(room, node1);
  assert.equal(await connectedOn(node2), 2, 'node 2 serves both sessions (relayed through node 1)');
  assert.equal(await connectedOn(node1), 0);
  // An attendee created through node 2 is in node 1's roster.
  const carol = await join(node2, room, 'Carol');
  const roster = (await (await fetch(`${node1.url}/api/roster/${room}`)).json()).roster;
  assert.equal(roster[carol.body.JoinInfo.Attendee.AttendeeId], 'Carol');

  const res = await fetch(`${node1.url}/meetings/${info.Meeting.MeetingId}`, { method: 'DELETE' });
  assert.equal(res.status, 204);
  for (const a of [alice, bob]) {
    await waitFor(async () => (await a.state()).stoppedName === 'MeetingEnded',
      { timeoutMs: 10000, what: `${a.name}: MeetingEnded` });
  }
  await closeAll([alice, bob]);
});

test('kill -9 of the hosting node mid-call: the clients reconnect and the call goes on on node 1 within 60 s', async () => {
  const { node1, node2, nodes } = await startCluster(cleanup, { args: ['--web-dir', webDir] });
  const { room } = await roomOn(node1, node2, nodes, 'sdk-crash');
  const [alice, bob] = await call(room, node1);
  await node2.kill9();
  const killedAt = Date.now();
  await waitFor(async () => (await connectedOn(node1)) === 2, { timeoutMs: 60000, intervalMs: 500,
    what: 'both clients reconnected onto node 1' });
  await Promise.all([decoding(alice, 60000 - (Date.now() - killedAt)), decoding(bob, 60000 - (Date.now() - killedAt))]);
  await messageGoesThrough(alice, bob, Math.max(5000, 60000 - (Date.now() - killedAt)));
  assert.ok(Date.now() - killedAt < 60000, `back within 60 s (${Date.now() - killedAt} ms)`);
  for (const a of [alice, bob]) assert.equal((await a.state()).stopped, null, `${a.name} was not stopped`);
  const again = await join(node1, room, 'Dan');
  assert.equal(hostOf(again.body.JoinInfo, nodes), node1, 'the meeting is placed on node 1 now');
  await closeAll([alice, bob]);
});

test('drain of the hosting node mid-call: no new meetings there; after the drain timeout the call goes on on node 2; exit 0', async () => {
  const { node1, node2, nodes } = await startCluster(cleanup, {
    args: ['--web-dir', webDir], env: { MEDICALL_DRAIN_TIMEOUT_SECONDS: '8' },
  });
  const { room } = await roomOn(node2, node1, nodes, 'sdk-drain');
  const [alice, bob] = await call(room, node2);
  assert.equal(await connectedOn(node1), 2);
  node1.proc.kill('SIGTERM');  // the drain SIGTERM starts (POST /admin/drain does the same)
  await sleep(500);
  for (let i = 0; i < 4; i++) {
    const r = await join(node2, `sdk-drain-new-${Date.now()}-${i}`, 'P');
    assert.equal(hostOf(r.body.JoinInfo, nodes), node2, 'no new meeting goes to the draining node');
  }
  await decoding(alice);  // the call goes on during the drain
  const exit = await Promise.race([node1.exited, sleep(30000).then(() => null)]);
  assert.ok(exit, 'node 1 exited after its drain timeout');
  assert.equal(exit.code, 0);
  await waitFor(async () => (await connectedOn(node2)) === 2, { timeoutMs: 60000, intervalMs: 500,
    what: 'both clients reconnected onto node 2' });
  await Promise.all([decoding(alice), decoding(bob)]);
  await messageGoesThrough(bob, alice);
  for (const a of [alice, bob]) assert.equal((await a.state()).stopped, null, `${a.name} was not stopped`);
  await closeAll([alice, bob]);
});

test('Redis restarted (appendonly) mid-call: the call is unaffected, then a new room can be joined', async () => {
  const { redis, node1, nodes } = await startCluster(cleanup, { args: ['--web-dir', webDir] });
  const { room } = await roomOn(node1, node1, nodes, 'sdk-redis');
  const [alice, bob] = await call(room, node1);
  const startsBefore = (await alice.state()).starts;
  await redis.kill9();
  await decoding(alice);
  await decoding(bob);
  await messageGoesThrough(alice, bob);
  await redis.start();
  const fresh = await waitFor(async () => {
    const r = await join(node1, `sdk-redis-after-${Date.now()}`, 'New');
    return r.status === 200 ? r : null;
  }, { timeoutMs: 20000, intervalMs: 500, what: 'a new room can be joined' });
  assert.ok(fresh.body.JoinInfo.Meeting.MeetingId);
  await decoding(alice);
  for (const a of [alice, bob]) assert.equal((await a.state()).stopped, null, `${a.name} was not stopped`);
  assert.equal((await alice.state()).starts, startsBefore, 'no reconnect was needed');
  await closeAll([alice, bob]);
});
