// Issue 16: GET /api/meetings/<id>/quality is the report's data, as JSON and CSV. Until the clinic
// roles exist it is served to loopback callers, or to requests signed with the meetings API's
// credentials (SigV4); anyone else is refused. The "other machine" is the suite's address on a test
// host's link (tests/lib/netns.mjs), which is not loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHost } from '../lib/netns.mjs';
import { startServer } from '../lib/server.mjs';
import { signRequest } from '../lib/sigv4.mjs';

const credentials = { accessKeyId: 'AKIDQUALITYTEST', secretAccessKey: 'quality-secret' };
const COLUMNS = ['send_kbps', 'receive_kbps', 'send_fps', 'receive_fps', 'send_width', 'send_height',
  'receive_width', 'receive_height', 'uplink_loss_pct', 'downlink_loss_pct', 'jitter_ms', 'rtt_ms', 'freezes',
  'audio_packets_per_s', 'audio_present', 'mic_level', 'signal_strength', 'nacks', 'plis',
  'server_down_loss_pct', 'server_down_jitter_ms', 'server_rtt_ms', 'nacks_in', 'plis_in', 'rtx_out', 'estimate_kbps'];

let host;
let keyed;   // with meetings API credentials
let open;    // without: loopback only
let meetingId;

before(async () => {
  host = await createHost(7);
  keyed = await startServer({ credentials });
  open = await startServer();
  // A meeting with one attendee, made through the signed meetings API.
  const url = `${keyed.url}/meetings`;
  const body = JSON.stringify({ ClientRequestToken: `q-${Date.now()}`, MediaRegion: 'us-east-1', ExternalMeetingId: 'visit-1' });
  const res = await fetch(url, { method: 'POST', body,
    headers: signRequest({ method: 'POST', url, body, headers: { 'content-type': 'application/json' }, credentials }) });
  assert.equal(res.status, 200, await res.clone().text());
  meetingId = (await res.json()).Meeting.MeetingId;
  const aUrl = `${keyed.url}/meetings/${meetingId}/attendees`;
  const aBody = JSON.stringify({ ExternalUserId: 'Bob' });
  const a = await fetch(aUrl, { method: 'POST', body: aBody,
    headers: signRequest({ method: 'POST', url: aUrl, body: aBody, headers: { 'content-type': 'application/json' }, credentials }) });
  assert.equal(a.status, 200);
});

after(async () => {
  await keyed?.stop();
  await open?.stop();
  await host?.close();
});

const remote = (server, path) => `http://${host.gateway}:${server.port}${path}`;

describe('GET /api/meetings/<id>/quality', () => {
  test('JSON and CSV with the expected columns, for a loopback caller', async () => {
    const json = await fetch(`${keyed.url}/api/meetings/${meetingId}/quality`);
    assert.equal(json.status, 200);
    assert.match(json.headers.get('content-type'), /application\/json/);
    const report = await json.json();
    assert.equal(report.meetingId, meetingId);
    assert.deepEqual(report.columns, COLUMNS);
    assert.deepEqual(report.samples, []);
    assert.ok(Array.isArray(report.events) && Array.isArray(report.summary));

    for (const init of [{ query: '?format=csv' }, { query: '', headers: { Accept: 'text/csv' } }]) {
      const csv = await fetch(`${keyed.url}/api/meetings/${meetingId}/quality${init.query}`, { headers: init.headers });
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type'), /text\/csv/);
      const [header] = (await csv.text()).split('\r\n');
      assert.equal(header, ['meeting_id', 'attendee_id', 'at_ms', ...COLUMNS].join(','));
    }
  });

  test('an unauthenticated caller that is not on loopback is refused; a signed one is served', async () => {
    const path = `/api/meetings/${meetingId}/quality`;
    const unsigned = await fetch(remote(keyed, path));
    assert.equal(unsigned.status, 401);
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'UnauthorizedException');
    const wrong = await fetch(remote(keyed, path), {
      headers: signRequest({ method: 'GET', url: remote(keyed, path), credentials: { ...credentials, secretAccessKey: 'nope' } }) });
    assert.equal(wrong.status, 403);
    const signed = await fetch(remote(keyed, path), { headers: signRequest({ method: 'GET', url: remote(keyed, path), credentials }) });
    assert.equal(signed.status, 200, await signed.clone().text());
    assert.deepEqual((await signed.json()).columns, COLUMNS);

    // Without credentials configured, only loopback.
    const refused = await fetch(remote(open, '/api/meetings/whatever/quality?format=csv'));
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('x-amzn-errortype'), 'ForbiddenException');
    assert.equal((await fetch(`${open.url}/api/meetings/whatever/quality`)).status, 404);
  });
});
