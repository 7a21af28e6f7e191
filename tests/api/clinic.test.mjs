// The clinic (issue 12) against the real binary: accounts and sessions, visits, the waiting room
// and its event streams, admission, host controls, the queue, the audit chain and privacy.
// Contract: /work/wt/clinic-api.md (kept in the repository's history with this suite).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { WsClient } from '../lib/ws-client.mjs';
import { ClinicClient, addUser, cli } from '../lib/clinic.mjs';

const require = createRequire(new URL('../package.json', import.meta.url));
const P = require('amazon-chime-sdk-js/build/signalingprotocol/SignalingProtocol.js');
const { SdkSignalFrame } = P;

const DOCTOR = { name: 'Dr Jane Doe', email: 'jane.doe@example.org' };
const SECOND = { name: 'Dr Ravi Second', email: 'ravi@example.org' };
const ADMIN = { role: 'admin', name: 'Ada Admin', email: 'ada@example.org' };
const PATIENT = 'Paulina Patientova';
const OTHER_PATIENT = 'Otto Otherpatient';
const QUEUE_PATIENT = 'Quentin Queuedperson';
const ALL_NAMES = ['Jane', 'Doe', 'Ravi', 'Ada Admin', 'Paulina', 'Patientova', 'Otto', 'Otherpatient', 'Quentin',
  'Queuedperson'];

let server;
let doctor;
let second;
let admin;

function frame(fields) {
  return Buffer.concat([Buffer.from([0x05]), SdkSignalFrame.encode(SdkSignalFrame.create({ timestampMs: Date.now(), ...fields })).finish()]);
}
function decode(message) {
  return message[0] === 0x05 ? SdkSignalFrame.decode(message.subarray(1)) : null;
}
async function openSignaling(join) {
  return WsClient.connect(server.port, `/control/${join.Meeting.MeetingId}`, ['_aws_wt_session', join.Attendee.JoinToken]);
}
async function joinSignaling(join) {
  const ws = await openSignaling(join);
  ws.sendBinary(frame({ type: SdkSignalFrame.Type.JOIN, join: { protocolVersion: 2, maxNumOfVideos: 8, flags: 0 } }));
  await ws.nextMessage((m) => decode(m)?.type === SdkSignalFrame.Type.JOIN_ACK, 5000);
  return ws;
}
async function audioStatusOf(ws) {
  const m = await ws.nextMessage((x) => decode(x)?.type === SdkSignalFrame.Type.AUDIO_STATUS, 5000);
  return decode(m).audioStatus.audioStatus;
}
function tokenOf(visit) { return visit.link.replace(/^\/v\//, ''); }

async function newVisit(client, body = {}) {
  const r = await client.post('/api/visits', body);
  assert.equal(r.status, 201, r.text);
  return r.json.visit;
}
// A patient that opens the link and starts waiting: {patient, waitId, events}.
async function waitingPatient(visit, name = PATIENT) {
  const patient = new ClinicClient(server);
  const opened = await patient.get(`/api/patient/visits/${tokenOf(visit)}`);
  assert.equal(opened.status, 200, opened.text);
  const w = await patient.post(`/api/patient/visits/${tokenOf(visit)}/wait`, { name });
  assert.equal(w.status, 200, w.text);
  assert.ok(w.json.csrfToken);
  const events = await patient.events('/api/patient/events');
  await events.next('status');
  return { patient, waitId: w.json.waitId, events };
}

before(async () => {
  server = await startServer({ logLevel: 'debug' === process.env.CLINIC_TEST_LOG ? 'debug' : 'info' });
  await addUser(server, DOCTOR);
  await addUser(server, SECOND);
  await addUser(server, ADMIN);
  doctor = new ClinicClient(server);
  await doctor.login(DOCTOR.email, 'a long password 1');
  second = new ClinicClient(server);
  await second.login(SECOND.email, 'a long password 1');
  admin = new ClinicClient(server);
  await admin.login(ADMIN.email, 'a long password 1');
});
after(async () => { await server?.stop(); });

describe('accounts and sessions', () => {
  test('user add prints a one-time set-password link; bad, used and short are told apart', async () => {
    const r = cli(server, ['user', 'add', '--role', 'clinician', '--name', 'Dr Temp Person', '--email', 'temp@example.org']);
    assert.equal(r.status, 0, r.stderr);
    const token = r.stdout.match(/\/set-password\/([A-Za-z0-9_-]+)/)[1];
    const set = (body) => fetch(`${server.url}/api/auth/set-password`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    }).then(async (res) => ({ status: res.status, json: await res.json().catch(() => undefined) }));
    const short = await set({ token, password: 'short' });
    assert.equal(short.status, 400);
    assert.equal(short.json.error, 'InvalidPassword');
    assert.equal((await set({ token, password: 'a long password 1' })).status, 204);
    const used = await set({ token, password: 'a long password 1' });
    assert.equal(used.status, 410);
    assert.equal(used.json.error, 'LinkUsed');
    assert.match(used.json.message, /already been used/);
    const bogus = await set({ token: 'not-a-token', password: 'a long password 1' });
    assert.equal(bogus.status, 404);
    assert.equal(bogus.json.error, 'LinkInvalid');
    const list = cli(server, ['user', 'list']);
    assert.equal(list.status, 0);
    assert.match(list.stdout, /temp@example\.org .*clinician\s+active/);
    assert.equal(cli(server, ['user', 'add', '--role', 'clinician', '--name', 'X', '--email', 'temp@example.org']).status, 1);
  });

  test('login sets an HttpOnly SameSite=Lax session cookie; failures are generic', async () => {
    const c = new ClinicClient(server);
    const wrong = await c.post('/api/auth/login', { email: DOCTOR.email, password: 'not the password' });
    const unknown = await c.post('/api/auth/login', { email: 'nobody@example.org', password: 'a long password 1' });
    for (const r of [wrong, unknown]) {
      assert.equal(r.status, 401);
      assert.deepEqual(r.json, { error: 'InvalidCredentials', message: 'The email or password is not right.' });
    }
    assert.equal((await c.get('/api/auth/session')).status, 401);
    const ok = await c.post('/api/auth/login', { email: DOCTOR.email.toUpperCase(), password: 'a long password 1' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.user.role, 'clinician');
    assert.equal(ok.json.user.name, DOCTOR.name);
    const cookie = c.setCookies.at(-1);
    assert.match(cookie, /^medicall_session=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/, 'plain HTTP on loopback');
    const session = await c.get('/api/auth/session');
    assert.equal(session.status, 200);
    assert.equal(session.json.csrfToken, ok.json.csrfToken);
    // Logout ends the session (CSRF required), and the cookie no longer works.
    const old = c.cookie;
    assert.equal((await c.post('/api/auth/logout', {}, { csrf: false })).json.error, 'CsrfTokenMismatch');
    assert.equal((await c.post('/api/auth/logout')).status, 204);
    assert.match(c.setCookies.at(-1), /Max-Age=0/);
    c.cookie = old;
    assert.equal((await c.get('/api/auth/session')).status, 401);
  });

  test('every state-changing request with a session needs the CSRF token', async () => {
    const missing = await doctor.post('/api/visits', {}, { csrf: false });
    assert.equal(missing.status, 403);
    assert.equal(missing.json.error, 'CsrfTokenMismatch');
    const forged = await doctor.post('/api/visits', {}, { csrf: false, headers: { 'x-csrf-token': 'forged' } });
    assert.equal(forged.status, 403);
    assert.equal((await doctor.post('/api/visits', {})).status, 201);
    assert.equal((await new ClinicClient(server).post('/api/visits', {})).status, 401);
  });
});

describe('visits, waiting room, admission', () => {
  test('a patient waits, is told a message, and is admitted; nobody is an attendee before that', async () => {
    const dash = await doctor.events('/api/clinic/events');
    assert.equal(dash.status, 200);
    assert.match(dash.contentType, /^text\/event-stream/);
    await dash.next('state');
    const visit = await newVisit(doctor, { patientName: PATIENT, scheduledAt: new Date(Date.now() + 3600e3).toISOString() });
    assert.match(visit.link, /^\/v\/[A-Za-z0-9_-]{32}$/);
    assert.equal(visit.status, 'scheduled');
    assert.equal(visit.patientName, PATIENT);
    assert.equal(visit.meetingId, null);
    const seen = await second.get(`/api/visits/${visit.id}`);
    assert.equal(seen.json.visit.link, null, 'only the owner gets the link');

    const started = Date.now();
    const { patient, waitId, events } = await waitingPatient(visit);
    const state = await dash.next('state', (s) => s.visits.some((v) => v.id === visit.id && v.waiting.length === 1), 2000);
    assert.ok(Date.now() - started < 2000);
    const waiting = state.visits.find((v) => v.id === visit.id);
    assert.equal(waiting.status, 'waiting');
    assert.equal(waiting.waiting[0].name, PATIENT);
    assert.equal(waiting.waiting[0].waitId, waitId);

    const session = await patient.get('/api/auth/session');
    assert.deepEqual(session.json.user.role, 'patient');
    assert.equal(session.json.user.visitId, visit.id);

    assert.equal((await doctor.post(`/api/visits/${visit.id}/message`, { text: 'Running 5 minutes late' })).status, 204);
    assert.equal((await events.next('message')).text, 'Running 5 minutes late');
    assert.equal((await doctor.post(`/api/visits/${visit.id}/message`, { text: 'x'.repeat(501) })).status, 400);

    const admitted = await doctor.post(`/api/visits/${visit.id}/admit`, { waitId });
    assert.equal(admitted.status, 200, admitted.text);
    const { join } = admitted.json;
    assert.ok(join.Meeting.MeetingId && join.Attendee.JoinToken);
    assert.equal(join.Meeting.ExternalMeetingId, `visit-${visit.id}`);
    const patientJoin = (await events.next('admitted')).join;
    assert.equal(patientJoin.Meeting.MeetingId, join.Meeting.MeetingId);
    assert.notEqual(patientJoin.Attendee.AttendeeId, join.Attendee.AttendeeId);
    const after = await doctor.get(`/api/visits/${visit.id}`);
    assert.equal(after.json.visit.status, 'in-call');
    assert.equal(after.json.visit.meetingId, join.Meeting.MeetingId);
    events.close();
    dash.close();
  });

  test('roster of a visit: its participants and clinicians only; /join cannot enter it', async () => {
    const visit = await newVisit(doctor);
    const { waitId, patient, events } = await waitingPatient(visit);
    const { join } = (await doctor.post(`/api/visits/${visit.id}/admit`, { waitId })).json;
    const patientJoin = (await events.next('admitted')).join;
    const room = `visit-${visit.id}`;
    const roster = (headers = {}) => fetch(`${server.url}/api/roster/${room}`, { headers })
      .then(async (r) => ({ status: r.status, json: await r.json() }));
    assert.equal((await roster()).status, 403);
    assert.equal((await roster({ authorization: 'Bearer not-a-token' })).status, 403);
    const byToken = await roster({ authorization: `Bearer ${patientJoin.Attendee.JoinToken}` });
    assert.equal(byToken.status, 200);
    assert.equal(byToken.json.roster[patientJoin.Attendee.AttendeeId], PATIENT);
    assert.equal(byToken.json.roster[join.Attendee.AttendeeId], DOCTOR.name);
    assert.equal((await roster({ cookie: doctor.cookie })).status, 200);
    assert.equal((await roster({ cookie: patient.cookie })).status, 200);
    // A patient of another visit: not found.
    const other = await waitingPatient(await newVisit(doctor), OTHER_PATIENT);
    assert.equal((await roster({ cookie: other.patient.cookie })).status, 404);
    const sneaky = await fetch(`${server.url}/join`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Eve', roomId: room }),
    });
    assert.equal(sneaky.status, 403);
    events.close();
    other.events.close();
  });

  test('quality report of a visit: its participants and clinicians only, even on loopback', async () => {
    const visit = await newVisit(doctor);
    const { waitId, patient, events } = await waitingPatient(visit);
    const { join } = (await doctor.post(`/api/visits/${visit.id}/admit`, { waitId })).json;
    const patientJoin = (await events.next('admitted')).join;
    const url = `${server.url}/api/meetings/${join.Meeting.MeetingId}/quality`;
    const report = (headers = {}) => fetch(url, { headers }).then(async (r) => ({ status: r.status, body: await r.text() }));
    // The test client is on loopback: an open room's report would be served, a visit's is not.
    const anonymous = await report();
    assert.equal(anonymous.status, 403, anonymous.body);
    assert.equal((await report({ cookie: doctor.cookie })).status, 200);
    assert.equal((await report({ cookie: patient.cookie })).status, 200);
    assert.equal((await report({ authorization: `Bearer ${patientJoin.Attendee.JoinToken}` })).status, 200);
    const other = await waitingPatient(await newVisit(doctor), OTHER_PATIENT);
    assert.equal((await report({ cookie: other.patient.cookie })).status, 404);
    const audit = await admin.get('/api/audit');
    assert.ok(audit.text.split('\n').some((l) => l.includes('"report.viewed"') && l.includes(visit.id)),
      'viewing the report is audited');
    events.close();
    other.events.close();
  });

  test('a patient session gets 403 for host actions of its visit and 404 for another visit', async () => {
    const visit = await newVisit(doctor);
    const otherVisit = await newVisit(doctor);
    const { patient, waitId, events } = await waitingPatient(visit);
    const own = `/api/visits/${visit.id}`;
    for (const [p, body] of [[`${own}/admit`, { waitId }], [`${own}/message`, { text: 'hi' }], [`${own}/end`, {}],
      [`${own}/transfer`, { clinicianId: 'x' }], [`${own}/attendees/00000000-0000-4000-8000-000000000000/mute`, { muted: true }],
      [`${own}/attendees/00000000-0000-4000-8000-000000000000/remove`, {}]]) {
      const r = await patient.post(p, body);
      assert.equal(r.status, 403, `${p}: ${r.text}`);
      assert.equal(r.json.error, 'Forbidden');
    }
    assert.equal((await patient.get(own)).status, 403);
    for (const p of [`/api/visits/${otherVisit.id}`, `/api/visits/${otherVisit.id}/end`]) {
      const r = p.endsWith('end') ? await patient.post(p) : await patient.get(p);
      assert.equal(r.status, 404, `${p}: ${r.text}`);
    }
    assert.equal((await patient.get('/api/visits')).status, 403);
    assert.equal((await patient.get('/api/audit')).status, 403);
    // A link of another visit is its own visit, not this one; a forged link is not found.
    const forged = await patient.get(`/api/patient/visits/${'A'.repeat(32)}`);
    assert.equal(forged.status, 404);
    assert.deepEqual(forged.json, { error: 'LinkInvalid', message: 'This visit link is not valid.' });
    events.close();
  });

  test('transfer moves the waiting patient to another clinician without a new link', async () => {
    const clinicians = await doctor.get('/api/clinicians');
    const target = clinicians.json.clinicians.find((c) => c.name === SECOND.name);
    assert.ok(target);
    const visit = await newVisit(doctor);
    const { events } = await waitingPatient(visit);
    const moved = await doctor.post(`/api/visits/${visit.id}/transfer`, { clinicianId: target.id });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.json.visit.clinicianId, target.id);
    assert.equal((await events.next('transferred')).clinicianName, SECOND.name);
    const theirs = await second.get('/api/visits');
    assert.ok(theirs.json.visits.some((v) => v.id === visit.id && v.link === visit.link && v.waiting.length === 1));
    events.close();
  });
});

describe('host controls', () => {
  test('mute: a medicall.host data message to the meeting, and allow-unmute', async () => {
    const visit = await newVisit(doctor);
    const { waitId, events } = await waitingPatient(visit);
    const { join } = (await doctor.post(`/api/visits/${visit.id}/admit`, { waitId })).json;
    const patientJoin = (await events.next('admitted')).join;
    const clinicianWs = await joinSignaling(join);
    const patientWs = await joinSignaling(patientJoin);
    const target = patientJoin.Attendee.AttendeeId;
    const isHost = (m) => decode(m)?.type === SdkSignalFrame.Type.DATA_MESSAGE;
    assert.equal((await doctor.post(`/api/visits/${visit.id}/attendees/${target}/mute`, { muted: true })).status, 204);
    for (const ws of [clinicianWs, patientWs]) {
      const msg = decode(await ws.nextMessage(isHost, 5000)).dataMessage.messages[0];
      assert.equal(msg.topic, 'medicall.host');
      assert.deepEqual(JSON.parse(Buffer.from(msg.data).toString()), { type: 'mute', attendeeId: target, canUnmute: false });
      assert.equal(msg.senderAttendeeId, join.Attendee.AttendeeId);
    }
    assert.equal((await doctor.post(`/api/visits/${visit.id}/attendees/${target}/mute`, { muted: false })).status, 204);
    const allow = decode(await patientWs.nextMessage((m) => isHost(m) && /allow-unmute/.test(Buffer.from(decode(m).dataMessage.messages[0].data).toString()), 5000));
    assert.deepEqual(JSON.parse(Buffer.from(allow.dataMessage.messages[0].data).toString()), { type: 'allow-unmute', attendeeId: target });
    assert.equal((await doctor.post(`/api/visits/${visit.id}/attendees/${target}/mute`, { muted: 'yes' })).status, 400);
    assert.equal((await doctor.post(`/api/visits/${visit.id}/attendees/00000000-0000-4000-8000-000000000000/mute`, { muted: true })).status, 404);
    clinicianWs.close();
    patientWs.close();
    events.close();
  });

  test('remove: AUDIO_STATUS 411, the token is refused afterwards, the link says Removed', async () => {
    const visit = await newVisit(doctor);
    const { waitId, events } = await waitingPatient(visit);
    await doctor.post(`/api/visits/${visit.id}/admit`, { waitId });
    const patientJoin = (await events.next('admitted')).join;
    const ws = await joinSignaling(patientJoin);
    assert.equal((await doctor.post(`/api/visits/${visit.id}/attendees/${patientJoin.Attendee.AttendeeId}/remove`)).status, 204);
    assert.equal(await audioStatusOf(ws), 411);
    assert.equal((await events.next('ended')).reason, 'Removed');
    await assert.rejects(openSignaling(patientJoin), /upgrade answered 403/);
    const link = await new ClinicClient(server).get(`/api/patient/visits/${tokenOf(visit)}`);
    assert.equal(link.status, 410);
    assert.deepEqual(link.json, { error: 'Removed', message: 'You were removed from this visit.' });
  });

  test('end for all: AUDIO_STATUS 410 to everyone, and the link is dead', async () => {
    const visit = await newVisit(doctor);
    const { waitId, events } = await waitingPatient(visit);
    const { join } = (await doctor.post(`/api/visits/${visit.id}/admit`, { waitId })).json;
    const patientJoin = (await events.next('admitted')).join;
    const clinicianWs = await joinSignaling(join);
    const patientWs = await joinSignaling(patientJoin);
    assert.equal((await doctor.post(`/api/visits/${visit.id}/end`)).status, 204);
    assert.equal(await audioStatusOf(clinicianWs), 410);
    assert.equal(await audioStatusOf(patientWs), 410);
    assert.equal((await events.next('ended')).reason, 'VisitEnded');
    const again = await openSignaling(patientJoin);
    await again.nextMessage(() => false, 2000).catch(() => {});
    assert.equal(again.closeCode, 4410);
    const link = await new ClinicClient(server).get(`/api/patient/visits/${tokenOf(visit)}`);
    assert.equal(link.status, 410);
    assert.deepEqual(link.json, { error: 'VisitEnded', message: 'This visit has ended.' });
    const wait = await new ClinicClient(server).post(`/api/patient/visits/${tokenOf(visit)}/wait`, { name: 'Late' });
    assert.equal(wait.status, 410);
    assert.equal((await doctor.get(`/api/visits/${visit.id}`)).json.visit.status, 'ended');
  });
});

describe('the clinic queue', () => {
  test('two clinicians take the same queued patient at once: exactly one gets them', async () => {
    assert.equal((await fetch(`${server.url}/api/clinics/nowhere`)).status, 404);
    const clinic = await (await fetch(`${server.url}/api/clinics/clinic`)).json();
    assert.deepEqual(clinic, { clinic: { slug: 'clinic', name: 'MediCall clinic' } });
    const dash = await second.events('/api/clinic/events');
    await dash.next('state');
    const patient = new ClinicClient(server);
    const w = await patient.post('/api/patient/clinics/clinic/wait', { name: QUEUE_PATIENT });
    assert.equal(w.status, 200, w.text);
    const events = await patient.events('/api/patient/events');
    await dash.next('state', (s) => s.queue.some((q) => q.waitId === w.json.waitId), 2000);
    const results = await Promise.all([doctor, second, doctor, second].map((c) => c.post(`/api/queue/${w.json.waitId}/take`)));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 409, 409, 409], results.map((r) => r.text).join('\n'));
    for (const r of results.filter((x) => x.status === 409)) assert.equal(r.json.error, 'AlreadyTaken');
    const winner = results.find((r) => r.status === 200).json.visit;
    assert.equal(winner.waiting[0].waitId, w.json.waitId);
    assert.ok((await events.next('transferred')).clinicianName);
    const taker = winner.clinicianId === (await doctor.get('/api/auth/session')).json.user.id ? doctor : second;
    const admitted = await taker.post(`/api/visits/${winner.id}/admit`, { waitId: w.json.waitId });
    assert.equal(admitted.status, 200, admitted.text);
    assert.ok((await events.next('admitted')).join.Attendee.JoinToken);
    events.close();
    dash.close();
  });
});

describe('audit trail and privacy', () => {
  test('admins export the chain; audit verify passes, and names a row altered with sqlite3', async () => {
    assert.equal((await doctor.get('/api/audit')).status, 403);
    const res = await admin.get('/api/audit');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/x-ndjson/);
    const entries = res.text.trim().split('\n').map((l) => JSON.parse(l));
    const actions = new Set(entries.map((e) => e.action));
    for (const a of ['auth.login', 'auth.login_failed', 'auth.logout', 'visit.created', 'link.opened', 'waiting.started',
      'visit.admitted', 'message.sent', 'visit.transferred', 'attendee.joined', 'attendee.left', 'host.muted',
      'attendee.removed', 'visit.ended', 'queue.taken']) assert.ok(actions.has(a), `${a} in ${[...actions]}`);
    for (let i = 1; i < entries.length; i++) {
      assert.equal(entries[i].seq, entries[i - 1].seq + 1);
      assert.equal(entries[i].prevHash, entries[i - 1].hash);
    }
    const since = await admin.get(`/api/audit?from=${entries.at(-1).time}`);
    assert.ok(since.text.trim().split('\n').length < entries.length);
    assert.equal((await admin.get('/api/audit?from=yesterday')).status, 400);

    // No names in the free text (nor anywhere in the audit trail).
    const audit = (await admin.get('/api/audit')).text;
    for (const n of ALL_NAMES) assert.ok(!audit.includes(n), `${n} in the audit trail`);
    // ... and none in the server log.
    const log = server.output();
    assert.ok(log.length > 0);
    for (const n of ALL_NAMES) assert.ok(!log.includes(n), `${n} in the server log`);

    const ok = cli(server, ['audit', 'verify']);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^audit chain OK: \d+ entries/);
    const victim = entries[Math.floor(entries.length / 2)].seq;
    const db = path.join(server.dataDir, 'medicall.db');
    const sql = spawnSync('sqlite3', [db, `UPDATE clinic_audit SET actor = 'tampered' WHERE seq = ${victim};`], { encoding: 'utf8' });
    assert.equal(sql.status, 0, sql.stderr);
    const broken = cli(server, ['audit', 'verify']);
    assert.notEqual(broken.status, 0);
    assert.match(broken.stdout, new RegExp(`audit chain broken at seq ${victim}\\b`));
  });

  test('login is rate limited per account (429 with Retry-After)', async () => {
    await addUser(server, { name: 'Dr Limited', email: 'limited@example.org' });
    const c = new ClinicClient(server);
    for (let i = 0; i < 5; i++) {
      assert.equal((await c.post('/api/auth/login', { email: 'limited@example.org', password: 'wrong password' })).status, 401);
    }
    const limited = await c.post('/api/auth/login', { email: 'limited@example.org', password: 'a long password 1' });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error, 'TooManyRequests');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });

  test('a disabled account is logged out and cannot log in', async () => {
    await addUser(server, { name: 'Dr Leaving', email: 'leaving@example.org' });
    const c = new ClinicClient(server);
    await c.login('leaving@example.org', 'a long password 1');
    const r = cli(server, ['user', 'disable', '--email', 'leaving@example.org']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await c.get('/api/auth/session')).status, 401);
    const again = await c.post('/api/auth/login', { email: 'leaving@example.org', password: 'a long password 1' });
    assert.equal(again.status, 401);
    assert.equal(again.json.error, 'InvalidCredentials');
  });
});
