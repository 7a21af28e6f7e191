// The clinic on a cluster (issue 13): two nodes and Redis. Accounts made with the CLI against
// Redis, a clinician on node 1 and the patient on node 2: the waiting room, the dashboard's live
// state, admission, messages, the queue, sessions valid on both nodes, the audit chain through
// either node and `medicall audit verify` against Redis. API level (no media).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SERVER_BINARY } from '../lib/server.mjs';
import { ClinicClient } from '../lib/clinic.mjs';
import { startCluster, sleep } from './lib.mjs';

const cleanup = [];
after(async () => { for (const f of cleanup.reverse()) await f().catch(() => {}); });

const PASSWORD = 'a long password 1';

// `medicall <args>` against the cluster's Redis, from a data directory no node uses.
function cli(redis, dataDir, args) {
  const r = spawnSync(SERVER_BINARY, [...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, MEDICALL_REDIS_URL: redis.url },
    timeout: 30000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function addUser(redis, dataDir, node, { role = 'clinician', name, email }) {
  const r = cli(redis, dataDir, ['user', 'add', '--role', role, '--name', name, '--email', email]);
  assert.equal(r.status, 0, r.stderr);
  const token = r.stdout.match(/\/set-password\/([A-Za-z0-9_-]+)/)?.[1];
  assert.ok(token, r.stdout);
  const res = await fetch(`${node.url}/api/auth/set-password`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: PASSWORD }),
  });
  assert.equal(res.status, 204, await res.text());
  return email;
}

// A client on `node` with another client's session (its cookie and CSRF token).
function sameSession(client, node) {
  const other = new ClinicClient(node);
  other.cookie = client.cookie;
  other.csrf = client.csrf;
  return other;
}

// Two nodes, Redis, a CLI data directory, and a clinician (made with the CLI) logged in on node 1.
async function clinicCluster() {
  const cluster = await startCluster(cleanup);
  const cliDir = await mkdtemp(path.join(os.tmpdir(), 'medicall-cli-'));
  cleanup.push(() => rm(cliDir, { recursive: true, force: true }));
  return { ...cluster, cliDir };
}

async function clinicianOnNode1() {
  const cluster = await clinicCluster();
  const email = await addUser(cluster.redis, cluster.cliDir, cluster.node1, { name: 'Dr Jane Doe', email: 'jane@example.org' });
  const doctor = new ClinicClient(cluster.node1);
  await doctor.login(email, PASSWORD);
  return { ...cluster, email, doctor };
}

function tokenOf(visit) { return visit.link.replace(/^\/v\//, ''); }

test('a clinician on node 1 sees, admits and messages a patient waiting through node 2', async () => {
  const { redis, node1, node2, cliDir } = await clinicCluster();

  // Accounts with the CLI against Redis; passwords set through node 2, logins through node 1.
  const doctorEmail = await addUser(redis, cliDir, node2, { name: 'Dr Jane Doe', email: 'jane@example.org' });
  const secondEmail = await addUser(redis, cliDir, node1, { name: 'Dr Ravi Second', email: 'ravi@example.org' });
  const adminEmail = await addUser(redis, cliDir, node2, { role: 'admin', name: 'Ada Admin', email: 'ada@example.org' });
  const listed = cli(redis, cliDir, ['user', 'list']);
  assert.equal(listed.status, 0, listed.stderr);
  for (const email of [doctorEmail, secondEmail, adminEmail]) assert.match(listed.stdout, new RegExp(`${email}.*active`));

  const doctor = new ClinicClient(node1);
  await doctor.login(doctorEmail, PASSWORD);
  const doctorOn2 = sameSession(doctor, node2);
  const session2 = await doctorOn2.get('/api/auth/session');
  assert.equal(session2.status, 200, 'the session cookie from node 1 works on node 2');
  assert.equal(session2.json.user.email, doctorEmail);
  assert.equal(session2.json.csrfToken, doctor.csrf, 'the same CSRF token');

  // The dashboard on node 1; the visit made on node 1; its patient opens the link through node 2.
  const dash = await doctor.events('/api/clinic/events');
  await dash.next('state');
  const created = await doctor.post('/api/visits', { patientName: 'Paulina Patientova' });
  assert.equal(created.status, 201, created.text);
  const visit = created.json.visit;
  const linkOn2 = await doctorOn2.get(`/api/visits/${visit.id}`);
  assert.equal(linkOn2.json.visit.link, visit.link, 'both nodes derive the same patient link');

  const patient = new ClinicClient(node2);
  const opened = await patient.get(`/api/patient/visits/${tokenOf(visit)}`);
  assert.equal(opened.status, 200, opened.text);
  assert.equal(opened.json.visit.clinicianName, 'Dr Jane Doe');
  const wait = await patient.post(`/api/patient/visits/${tokenOf(visit)}/wait`, { name: 'Paulina P' });
  assert.equal(wait.status, 200, wait.text);
  const waitId = wait.json.waitId;
  const patientEvents = await patient.events('/api/patient/events');
  assert.equal((await patientEvents.next('status')).status, 'waiting');

  // Node 1's dashboard sees the patient waiting (its stream and its API).
  const seen = await dash.next('state', (s) => s.visits.some((v) => v.id === visit.id && v.waiting.some((w) => w.waitId === waitId)), 5000);
  assert.equal(seen.visits.find((v) => v.id === visit.id).status, 'waiting');
  const listedVisits = await doctor.get('/api/visits');
  assert.equal(listedVisits.json.visits.find((v) => v.id === visit.id).waiting[0].waitId, waitId);

  // A message from node 1 reaches the patient on node 2.
  assert.equal((await doctor.post(`/api/visits/${visit.id}/message`, { text: 'Two minutes, please' })).status, 204);
  assert.equal((await patientEvents.next('message')).text, 'Two minutes, please');

  // Admission through node 1: the patient (on node 2) is admitted into the clinician's meeting.
  const admitted = await doctor.post(`/api/visits/${visit.id}/admit`, { waitId });
  assert.equal(admitted.status, 200, admitted.text);
  const patientJoin = (await patientEvents.next('admitted')).join;
  assert.equal(patientJoin.Meeting.MeetingId, admitted.json.join.Meeting.MeetingId);
  assert.ok(patientJoin.Attendee.JoinToken);
  assert.notEqual(patientJoin.Attendee.AttendeeId, admitted.json.join.Attendee.AttendeeId);
  // A patient stream that reconnects through node 2 gets its JoinInfo and the message again.
  const again = await patient.events('/api/patient/events');
  const status = await again.next('status');
  assert.equal(status.status, 'admitted');
  assert.deepEqual(status.messages.map((m) => m.text), ['Two minutes, please']);
  assert.equal((await again.next('admitted')).join.Attendee.AttendeeId, patientJoin.Attendee.AttendeeId);
  again.close();
  // The meeting is one meeting through both nodes.
  const meetingId = patientJoin.Meeting.MeetingId;
  for (const node of [node1, node2]) {
    const r = await fetch(`${node.url}/api/roster/${admitted.json.join.Meeting.ExternalMeetingId}`,
      { headers: { authorization: `Bearer ${patientJoin.Attendee.JoinToken}` } });
    assert.equal(r.status, 200, `roster through ${node.url}`);
  }
  await dash.next('state', (s) => s.visits.some((v) => v.id === visit.id && v.status === 'in-call'), 5000);

  // The queue: a patient waits through node 2; two clinicians take it at once through both nodes.
  const second = new ClinicClient(node2);
  await second.login(secondEmail, PASSWORD);
  const queued = new ClinicClient(node2);
  const q = await queued.post('/api/patient/clinics/clinic/wait', { name: 'Quentin Queued' });
  assert.equal(q.status, 200, q.text);
  await dash.next('state', (s) => s.queue.some((w) => w.waitId === q.json.waitId), 5000);
  const takes = await Promise.all([doctor, second, doctor, second].map((c) => c.post(`/api/queue/${q.json.waitId}/take`)));
  assert.deepEqual(takes.map((r) => r.status).sort(), [200, 409, 409, 409], takes.map((r) => r.text).join('\n'));
  await dash.next('state', (s) => !s.queue.some((w) => w.waitId === q.json.waitId), 5000);

  // The visit ends through node 2 (the doctor's node-1 session): the patient's stream there ends.
  assert.equal((await doctorOn2.post(`/api/visits/${visit.id}/end`)).status, 204);
  assert.equal((await patientEvents.next('ended')).reason, 'VisitEnded');
  patientEvents.close();
  dash.close();

  // The audit trail: the same chain through either node, with the entries of both nodes.
  const admin = new ClinicClient(node2);
  await admin.login(adminEmail, PASSWORD);
  const adminOn1 = sameSession(admin, node1);
  const chains = [];
  for (const client of [admin, adminOn1]) {
    const res = await client.get('/api/audit');
    assert.equal(res.status, 200, res.text);
    chains.push(res.text.trim().split('\n').map((l) => JSON.parse(l)));
  }
  const [via2, via1] = chains;
  assert.deepEqual(via1.slice(0, via2.length), via2, 'node 1 exports the chain node 2 did (plus its export entry)');
  const actions = new Set(via1.map((e) => e.action));
  for (const a of ['user.created', 'auth.password_set', 'auth.login', 'visit.created', 'link.opened', 'waiting.started',
    'message.sent', 'visit.admitted', 'queue.joined', 'queue.taken', 'visit.ended', 'audit.exported']) {
    assert.ok(actions.has(a), `${a} in ${[...actions]}`);
  }
  for (let i = 0; i < via1.length; i++) {
    assert.equal(via1[i].seq, i + 1);
    if (i > 0) assert.equal(via1[i].prevHash, via1[i - 1].hash);
  }
  const verify = cli(redis, cliDir, ['audit', 'verify']);
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, new RegExp(`audit chain OK: ${via1.length + 1} entries`));

  // Logout through node 2 ends the session on node 1 as well.
  assert.equal((await doctorOn2.post('/api/auth/logout')).status, 204);
  assert.equal((await doctor.get('/api/auth/session')).status, 401);
  // Disabling an account with the CLI ends its sessions on every node.
  assert.equal((await second.get('/api/auth/session')).status, 200);
  assert.equal(cli(redis, cliDir, ['user', 'disable', '--email', secondEmail]).status, 0);
  assert.equal((await sameSession(second, node1).get('/api/auth/session')).status, 401);
  assert.equal((await second.get('/api/auth/session')).status, 401);
});

test('sessions survive a node restart (they live in Redis)', async () => {
  const { node1, node2, email, doctor } = await clinicianOnNode1();
  await node1.restart();
  const after = await doctor.get('/api/auth/session');
  assert.equal(after.status, 200, after.text);
  assert.equal(after.json.user.email, email);
  assert.equal((await sameSession(doctor, node2).get('/api/auth/session')).status, 200);
});

test('a Redis outage: the clinic answers 503, then goes on with its sessions and data; a tampered entry is named', async () => {
  const { redis, node2, cliDir, doctor } = await clinicianOnNode1();
  const visit = (await doctor.post('/api/visits', {})).json.visit;

  await redis.kill9();
  const down = await doctor.get('/api/auth/session');
  assert.equal(down.status, 503, down.text);
  assert.equal(down.json.error, 'ServiceUnavailable');
  assert.equal(down.headers.get('retry-after'), '1');
  assert.equal((await sameSession(doctor, node2).get('/api/visits')).status, 503);

  await redis.start();  // appendonly yes: what was acknowledged is back
  let back;
  for (let i = 0; i < 50; i++) {
    back = await doctor.get('/api/auth/session');
    if (back.status === 200) break;
    await sleep(200);
  }
  assert.equal(back.status, 200, 'the session outlived the outage');
  const visits = await sameSession(doctor, node2).get('/api/visits');
  assert.equal(visits.status, 200, visits.text);
  assert.ok(visits.json.visits.some((v) => v.id === visit.id));

  const ok = cli(redis, cliDir, ['audit', 'verify']);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  // An entry altered in Redis breaks the chain at that entry.
  const edit = spawnSync('/usr/bin/redis-cli', ['-p', String(redis.port), 'HSET', 'medicall:clinic:a:2', 'detail', 'edited'],
    { encoding: 'utf8' });
  assert.equal(edit.status, 0, edit.stderr);
  const broken = cli(redis, cliDir, ['audit', 'verify']);
  assert.equal(broken.status, 1, broken.stdout + broken.stderr);
  assert.match(broken.stdout, /audit chain broken at seq 2: hash does not match/);
});
