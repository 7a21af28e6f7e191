// Two nodes and Redis on loopback: placement over both nodes, rosters and attendees through either
// node, control actions reaching the meeting's host, the signaling relay, a node crash, a drain and
// a Redis restart. (Run inside `unshare -n` like every suite.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WsClient } from '../lib/ws-client.mjs';
import { waitFor } from '../lib/browser.mjs';
import { startCluster, startRedis, startNode, roomOn, join, hostOf, roster, sleep } from './lib.mjs';

const cleanup = [];
after(async () => { for (const f of cleanup.reverse()) await f().catch(() => {}); });

async function cluster(env = {}) {
  return startCluster(cleanup, { env });
}

test('two nodes: rooms spread over both, rosters agree, deletes reach the host, signaling is relayed', async () => {
  const { node1, node2 } = await cluster();
  const nodes = [node1, node2];

  // Eight rooms joined through node 1 are placed on both nodes.
  const hosts = new Map();
  for (let i = 0; i < 8; i++) {
    const r = await join(node1, `spread-${i}`, `Patient ${i}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const host = hostOf(r.body.JoinInfo, nodes);
    assert.ok(host, `AudioHostUrl ${r.body.JoinInfo.Meeting.MediaPlacement.AudioHostUrl} names a node`);
    hosts.set(host, (hosts.get(host) || 0) + 1);
    // The signaling URL resolves through the node that answered.
    assert.ok(r.body.JoinInfo.Meeting.MediaPlacement.SignalingUrl.includes(`:${node1.port}/control/`));
  }
  assert.equal(hosts.size, 2, 'both nodes host some of the eight rooms');

  // An attendee created through node 2 is in node 1's roster; the roster is the same through both.
  const first = await join(node1, 'spread-0', 'Dr Who');
  const second = await join(node2, 'spread-0', 'Nurse');
  assert.equal(second.body.JoinInfo.Meeting.MeetingId, first.body.JoinInfo.Meeting.MeetingId);
  const r1 = await roster(node1, 'spread-0');
  const r2 = await roster(node2, 'spread-0');
  assert.deepEqual(r1.body, r2.body);
  assert.equal(r1.body.roster[second.body.JoinInfo.Attendee.AttendeeId], 'Nurse');

  // Concurrent /joins of a new room through both nodes land in one meeting.
  for (let i = 0; i < 10; i++) {
    const [a, b] = await Promise.all([join(node1, `race-${i}`, 'A'), join(node2, `race-${i}`, 'B')]);
    assert.equal(a.body.JoinInfo.Meeting.MeetingId, b.body.JoinInfo.Meeting.MeetingId, `race-${i}`);
  }

  // A meeting hosted on node 2: signaling through node 1 is relayed there; DeleteMeeting through
  // node 1 ends it on node 2 within a second, for the direct and the relayed session alike.
  const { info } = await roomOn(node1, node2, nodes, 'delete');
  const protocols = ['_aws_wt_session', info.Attendee.JoinToken];
  const direct = await WsClient.connect(node2.port, `/control/${info.Meeting.MeetingId}`, protocols);
  const bob = await join(node1, info.Meeting.ExternalMeetingId, 'Bob');
  const relayed = await WsClient.connect(node1.port, `/control/${info.Meeting.MeetingId}`,
    ['_aws_wt_session', bob.body.JoinInfo.Attendee.JoinToken]);
  await sleep(300);
  assert.equal(direct.closeCode, null);
  assert.equal(relayed.closeCode, null);
  const started = Date.now();
  const del = await fetch(`${node1.url}/meetings/${info.Meeting.MeetingId}`, { method: 'DELETE' });
  assert.equal(del.status, 204);
  await waitFor(() => direct.socket.destroyed || direct.closeCode !== null, { timeoutMs: 1000, intervalMs: 20,
    what: 'the session on node 2 closed' });
  await waitFor(() => relayed.socket.destroyed || relayed.closeCode !== null, { timeoutMs: 1500, intervalMs: 20,
    what: 'the relayed session closed' });
  assert.ok(Date.now() - started < 1500);
  assert.ok(node2.output().includes(`meeting ${info.Meeting.MeetingId} ended`), 'node 2 ended the meeting');
});

test('kill -9 of a node: its meetings are placed on the live node at the next join', async () => {
  const { node1, node2 } = await cluster();
  const nodes = [node1, node2];
  const { room, info } = await roomOn(node1, node2, nodes, 'crash');
  await node2.kill9();
  // Its heartbeat key expires (6 s); the next join finds the meeting on node 1, same MeetingId.
  const moved = await waitFor(async () => {
    const r = await join(node1, room, 'Back');
    return r.status === 200 && hostOf(r.body.JoinInfo, nodes) === node1 ? r : null;
  }, { timeoutMs: 15000, intervalMs: 500, what: 'the meeting re-placed on node 1' });
  assert.equal(moved.body.JoinInfo.Meeting.MeetingId, info.Meeting.MeetingId);
  // Signaling through node 1 is now served by node 1 itself (no relay to the dead node).
  const ws = await WsClient.connect(node1.port, `/control/${info.Meeting.MeetingId}`,
    ['_aws_wt_session', info.Attendee.JoinToken]);
  await sleep(300);
  assert.equal(ws.closeCode, null);
  ws.close();
});

test('drain: no new meetings on the draining node, then it leaves and exits 0', async () => {
  const { node1, node2 } = await cluster({ MEDICALL_DRAIN_TIMEOUT_SECONDS: '3' });
  const nodes = [node1, node2];
  const { info } = await roomOn(node2, node1, nodes, 'drain-before');
  const ws = await WsClient.connect(node1.port, `/control/${info.Meeting.MeetingId}`,
    ['_aws_wt_session', info.Attendee.JoinToken]);
  const res = await fetch(`${node1.url}/admin/drain`, { method: 'POST' });
  assert.equal(res.status, 202);
  for (let i = 0; i < 6; i++) {
    const r = await join(node2, `drain-after-${i}`, 'P');
    assert.equal(hostOf(r.body.JoinInfo, nodes), node2, 'new meetings go to node 2 only');
  }
  // The meeting on node 1 goes on until the drain timeout; then clients are told to reconnect (45xx).
  await sleep(1000);
  assert.equal(ws.closeCode, null, 'the call continues while draining');
  const exit = await Promise.race([node1.exited, sleep(15000).then(() => null)]);
  assert.ok(exit, 'node 1 exited after the drain');
  assert.equal(exit.code, 0);
  assert.ok(ws.closeCode >= 4500 && ws.closeCode <= 4599, `close code ${ws.closeCode} makes the SDK reconnect`);
  // Its meeting is now placed on node 2.
  const again = await join(node2, info.Meeting.ExternalMeetingId, 'Again');
  assert.equal(again.body.JoinInfo.Meeting.MeetingId, info.Meeting.MeetingId);
  assert.equal(hostOf(again.body.JoinInfo, nodes), node2);
});

test('Redis lost and restarted (AOF): 503 meanwhile, sessions stay, then everything is back', async () => {
  const { redis, node1, node2 } = await cluster();
  const nodes = [node1, node2];
  const { room, info } = await roomOn(node1, node1, nodes, 'outage');
  const ws = await WsClient.connect(node1.port, `/control/${info.Meeting.MeetingId}`,
    ['_aws_wt_session', info.Attendee.JoinToken]);
  await redis.kill9();
  const during = await join(node1, 'outage-new', 'X');
  assert.equal(during.status, 503);
  assert.equal(during.body.error, 'service_unavailable', JSON.stringify(during.body));  // the app API's shape
  assert.match(during.body.message, /Redis .* unavailable/);
  const api = await fetch(`${node2.url}/meetings/${info.Meeting.MeetingId}`);
  assert.equal(api.status, 503);
  assert.equal(api.headers.get('x-amzn-errortype'), 'ServiceUnavailableException');
  await sleep(1000);
  assert.equal(ws.closeCode, null, 'the session in progress is untouched');
  await redis.start();
  const back = await waitFor(async () => {
    const r = await join(node2, 'outage-after', 'Y');
    return r.status === 200 ? r : null;
  }, { timeoutMs: 15000, intervalMs: 300, what: '/join answers again' });
  assert.ok(back.body.JoinInfo.Meeting.MeetingId);
  // Nothing acknowledged was lost (appendonly, fsync always).
  const same = await join(node2, room, 'Z');
  assert.equal(same.body.JoinInfo.Meeting.MeetingId, info.Meeting.MeetingId);
  assert.equal(ws.closeCode, null);
  ws.close();
});

test('Redis unreachable at start: the node says so, answers 503, and serves once Redis is up', async () => {
  const redis = await startRedis({ start: false });
  cleanup.push(() => redis.stop());
  const node = await startNode(redis, 'early');
  cleanup.push(() => node.stop());
  const before = await join(node, 'early-room', 'A');
  assert.equal(before.status, 503, 'no placement it cannot record');
  await waitFor(() => /Redis at 127\.0\.0\.1:\d+\/0 unreachable.*retrying with backoff/.test(node.output()),
    { timeoutMs: 5000, what: 'the node says Redis is unreachable' });
  await redis.start();
  const afterStart = await waitFor(async () => {
    const r = await join(node, 'early-room', 'A');
    return r.status === 200 ? r : null;
  }, { timeoutMs: 15000, intervalMs: 300, what: '/join once Redis answers' });
  assert.ok(afterStart.body.JoinInfo.Meeting.MeetingId);
  await waitFor(() => /answers again/.test(node.output()), { timeoutMs: 10000, what: 'the node says Redis is back' });
});

test('DeleteAttendee through node 1 removes the attendee from its session on node 2 within a second', async () => {
  const { node1, node2, nodes } = await cluster();
  const { info } = await roomOn(node1, node2, nodes, 'remove');
  const ws = await WsClient.connect(node2.port, `/control/${info.Meeting.MeetingId}`,
    ['_aws_wt_session', info.Attendee.JoinToken]);
  await sleep(1500);
  assert.equal(ws.closeCode, null, 'the session is open before the delete');
  assert.equal(ws.socket.destroyed, false);
  const started = Date.now();
  const del = await fetch(`${node1.url}/meetings/${info.Meeting.MeetingId}/attendees/${info.Attendee.AttendeeId}`,
    { method: 'DELETE' });
  assert.equal(del.status, 204);
  await waitFor(() => ws.socket.destroyed || ws.closeCode !== null, { timeoutMs: 1000, intervalMs: 20,
    what: 'the session on node 2 closed' });
  assert.ok(Date.now() - started < 1000);
});
