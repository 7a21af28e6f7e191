// MEDICALL_OPEN_ROOMS=0 (issue 12): the seed's open rooms are off, clinic visits still work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { ClinicClient, addUser } from '../lib/clinic.mjs';

let server;
before(async () => { server = await startServer({ env: { MEDICALL_OPEN_ROOMS: '0' } }); });
after(async () => { await server?.stop(); });

test('POST /join and the open-room roster answer 403 with a clear error', async () => {
  const res = await fetch(`${server.url}/join`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Alice', roomId: 'room-1' }),
  });
  assert.equal(res.status, 403);
  const body = await res.json();
  assert.equal(body.error, 'OpenRoomsDisabled');
  assert.match(body.message, /Open rooms are turned off/);
  const roster = await fetch(`${server.url}/api/roster/room-1`);
  assert.equal(roster.status, 403);
  assert.equal((await roster.json()).error, 'OpenRoomsDisabled');
});

test('a clinic visit still admits its patient', async () => {
  await addUser(server, { name: 'Dr Only Visits', email: 'only@example.org' });
  const doctor = new ClinicClient(server);
  await doctor.login('only@example.org', 'a long password 1');
  const visit = (await doctor.post('/api/visits', {})).json.visit;
  const patient = new ClinicClient(server);
  const w = await patient.post(`/api/patient/visits/${visit.link.slice(3)}/wait`, { name: 'Pat' });
  assert.equal(w.status, 200, w.text);
  const admitted = await doctor.post(`/api/visits/${visit.id}/admit`, { waitId: w.json.waitId });
  assert.equal(admitted.status, 200, admitted.text);
  const roster = await fetch(`${server.url}/api/roster/visit-${visit.id}`, {
    headers: { authorization: `Bearer ${admitted.json.join.Attendee.JoinToken}` },
  });
  assert.equal(roster.status, 200);
});
