// AWS mode: an app node with MEDICALL_CHIME_ENDPOINT creates /join's meetings and attendees on a
// second MediCall node acting as the Chime endpoint (SigV4 with shared credentials); two SDK clients
// served by the app node meet on the "Chime" node. Runs inside `unshare -n`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, waitFor } from '../lib/browser.mjs';
import { decodesVideoOf } from '../lib/host-call.mjs';
import { buildSdkPage } from '../lib/sdk-page.mjs';
import { startServer } from '../lib/server.mjs';
import { signRequest } from '../lib/sigv4.mjs';
import { connectedOn, join } from './lib.mjs';

const credentials = { accessKeyId: 'AKIDAWSMODE', secretAccessKey: 'aws-mode-secret' };
let chime;
let app;
let webDir;
const browsers = [];

before(async () => {
  webDir = await buildSdkPage();
  chime = await startServer({ credentials, logLevel: 'info' });
  app = await startServer({ credentials, args: ['--web-dir', webDir], logLevel: 'info',
    env: { MEDICALL_CHIME_ENDPOINT: `http://127.0.0.1:${chime.port}` } });
});
after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  await app?.stop();
  await chime?.stop();
});

async function signedGet(url) {
  const headers = signRequest({ method: 'GET', url, credentials });
  return fetch(url, { headers });
}

test('/join on the app node creates the meeting and attendees on the Chime endpoint', async () => {
  const first = await join(app, 'aws-room', 'Dr Grey');
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const { Meeting, Attendee } = first.body.JoinInfo;
  // The placement is the endpoint's: the browsers' signaling and media go there.
  assert.ok(Meeting.MediaPlacement.SignalingUrl.includes(`:${chime.port}/control/${Meeting.MeetingId}`),
    Meeting.MediaPlacement.SignalingUrl);
  assert.ok(Meeting.MediaPlacement.AudioHostUrl.endsWith(`:${chime.mediaPort}`));
  const there = await signedGet(`${chime.url}/meetings/${Meeting.MeetingId}/attendees/${Attendee.AttendeeId}`);
  assert.equal(there.status, 200, 'the attendee exists on the endpoint');
  const onEndpoint = (await there.json()).Attendee;
  assert.equal(onEndpoint.AttendeeId, Attendee.AttendeeId);
  assert.equal(onEndpoint.JoinToken, undefined, 'a join token is returned only when it is created');
  assert.ok(Attendee.JoinToken, '/join passes on the token the endpoint created');

  const second = await join(app, 'aws-room', 'Pat');
  assert.equal(second.body.JoinInfo.Meeting.MeetingId, Meeting.MeetingId, 'one meeting per room');
  const roster = (await (await fetch(`${app.url}/api/roster/aws-room`)).json()).roster;
  assert.equal(roster[Attendee.AttendeeId], 'Dr Grey');
  assert.equal(roster[second.body.JoinInfo.Attendee.AttendeeId], 'Pat');

  // The meeting ends on the endpoint: the room gets a new one there.
  const url = `${chime.url}/meetings/${Meeting.MeetingId}`;
  const del = await fetch(url, { method: 'DELETE', headers: signRequest({ method: 'DELETE', url, credentials }) });
  assert.equal(del.status, 204);
  const third = await join(app, 'aws-room', 'Lee');
  assert.notEqual(third.body.JoinInfo.Meeting.MeetingId, Meeting.MeetingId);
});

test('wrong credentials on the endpoint: /join answers an error, not a meeting', async () => {
  const other = await startServer({ credentials: { accessKeyId: 'OTHER', secretAccessKey: 'other' },
    env: { MEDICALL_CHIME_ENDPOINT: `http://127.0.0.1:${chime.port}` } });
  try {
    const r = await join(other, 'aws-denied', 'X');
    assert.equal(r.status, 403, JSON.stringify(r.body));
  } finally {
    await other.stop();
  }
});

test('two SDK clients served by the app node meet on the Chime endpoint node', async () => {
  const attendee = async (name) => {
    const b = await launchBrowser();
    browsers.push(b);
    await b.page.goto(`${app.url}/`);
    const self = await b.page.evaluate(([n]) => window.sdkTest.join(n, 'aws-call', {}), [name]);
    await waitFor(() => b.page.evaluate(() => window.sdkTest.state.started), {
      timeoutMs: 40000, what: `${name}: audioVideoDidStart (logs: ${b.logs.slice(-5).join(' | ')})`,
    });
    return { ...b, name, self, stats: () => b.page.evaluate(() => window.sdkTest.stats()) };
  };
  const alice = await attendee('Alice');
  const bob = await attendee('Bob');
  await decodesVideoOf(alice, bob);
  await decodesVideoOf(bob, alice);
  assert.equal(await connectedOn(chime), 2, 'the sessions are on the endpoint node');
  assert.equal(await connectedOn(app), 0);
});
