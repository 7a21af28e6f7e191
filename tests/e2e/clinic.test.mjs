// Issue 12, the clinic, through the web app with the real server and three headless Chromium
// browsers (fake camera and a beeping fake microphone): a clinician made with `medicall user add`
// sets a password and logs in, creates a visit, the patient waits behind the link; the clinician
// sees them within 2 s, messages them, admits them; both see decoding video; the clinician mutes the
// patient (received audio power falls > 20x and the patient cannot unmute), ends the visit, and the
// link is dead. Then: transfer to a second clinician, and two clinicians taking one queued patient.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { seesVideoOf, recentLogs } from '../lib/web-app.mjs';
import {
  ARTIFACTS, audioPower, clinicianThroughUi, createVisitThroughUi, inCall, openBrowser, patientWaits,
  startClinicServer, toDashboard, UI_TIMEOUT, waitFor, waitingRow,
} from '../lib/clinic-web.mjs';

let server;
const browsers = [];
let jane;
let ann;

async function track(promise) {
  const p = await promise;
  browsers.push(p);
  return p;
}

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  server = await startClinicServer({ logLevel: 'info' });
  jane = await track(clinicianThroughUi(server, 'Dr Jane Doe', 'jane@example.org'));
});

after(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
});

// Dr Ann Lee, made by whichever test needs her first.
async function secondClinician() {
  ann ??= await track(clinicianThroughUi(server, 'Dr Ann Lee', 'ann@example.org'));
  return ann;
}

async function withDiagnostics(name, body) {
  try {
    await body();
  } catch (error) {
    const notes = [];
    for (const [i, b] of browsers.entries()) {
      await b.page.screenshot({ path: path.join(ARTIFACTS, `${name}-failure-${i}.png`) }).catch(() => {});
      notes.push(`${b.name} console:\n  ${b.logs.slice(-15).join('\n  ')}`);
    }
    notes.push(`server log (tail):\n${server.output().slice(-4000)}`);
    error.message += `\n${notes.join('\n')}`;
    throw error;
  }
}

describe('the clinic through the web app', () => {
  test('visit: waiting room, message, admit, video, host mute, end visit, dead link', (t) => withDiagnostics('clinic-visit', async () => {
    const { link, visitId } = await createVisitThroughUi(jane, 'Pat Smith');
    assert.ok(visitId);
    await toDashboard(jane);

    const pat = await track(openBrowser('Pat'));
    await patientWaits(pat, link);
    const waitingSince = Date.now();
    await pat.page.getByRole('heading', { name: 'Dr Jane Doe will let you in shortly', exact: true }).waitFor({ timeout: UI_TIMEOUT });

    // The dashboard shows Pat waiting within 2 s (server-sent events, no polling), with a ticking wait.
    const row = waitingRow(jane, 'Pat');
    await row.waitFor({ timeout: 2000 });
    const shownAfter = Date.now() - waitingSince;
    t.diagnostic(`Pat on the dashboard ${shownAfter} ms after the waiting screen`);
    assert.ok(shownAfter < 2000, `Pat on the dashboard after ${shownAfter} ms`);
    const time = row.locator('.waiting-time');
    const first = await time.innerText();
    assert.match(first, /^waiting \d+ s$/);
    await waitFor(async () => (await time.innerText()) !== first, { timeoutMs: 3000, what: 'the waited time ticks' });

    // Message: the waiting patient sees it at once.
    await row.getByRole('button', { name: 'Message', exact: true }).click();
    await row.getByLabel('Message to Pat', { exact: true }).fill('Running 5 minutes late');
    const sentAt = Date.now();
    await row.getByRole('button', { name: 'Send', exact: true }).click();
    await pat.page.getByRole('log', { name: 'Messages from your clinician' }).getByText('Running 5 minutes late', { exact: true })
      .waitFor({ timeout: 3000 });
    assert.ok(Date.now() - sentAt < 3000, 'the message reached the waiting room within 3 s');

    // Admit: both in the call, each seeing the other's decoding video.
    await row.getByRole('button', { name: 'Admit', exact: true }).click();
    await inCall(jane);
    await inCall(pat);
    const patOnJane = await seesVideoOf(jane, pat);
    const janeOnPat = await seesVideoOf(pat, { name: 'Dr Jane Doe' });
    assert.ok(patOnJane && janeOnPat && patOnJane !== janeOnPat, 'distinct attendees on the tiles');

    // The patient's call screen has no host controls.
    await pat.page.getByRole('button', { name: 'Participants', exact: true }).click();
    await pat.page.getByRole('list', { name: 'Participants in this call', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    for (const name of ['Mute participant', 'Remove', 'End visit for all']) {
      assert.equal(await pat.page.getByRole('button', { name, exact: true }).count(), 0, `patient has no ${name}`);
    }
    await pat.page.getByRole('button', { name: 'Participants', exact: true }).click();

    // Host mute: the clinician's received audio (the mix carries only Pat) falls > 20x, and Pat cannot unmute.
    await waitFor(async () => (await audioPower(jane.page, 1000)) > 0, { timeoutMs: UI_TIMEOUT, what: 'Jane hears Pat' });
    const before = await audioPower(jane.page, 4000);
    await jane.page.getByRole('button', { name: 'Participants', exact: true }).click();
    const patRow = jane.page.locator(`li[data-attendee-id="${patOnJane}"]`);
    await patRow.getByRole('button', { name: 'Mute participant', exact: true }).click();
    await patRow.getByRole('button', { name: 'Allow to unmute', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await pat.page.getByText('Your clinician muted your microphone', { exact: false }).waitFor({ timeout: UI_TIMEOUT });
    const unmute = pat.page.getByRole('button', { name: 'Unmute', exact: true });
    await unmute.waitFor({ timeout: UI_TIMEOUT });
    await unmute.click();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await unmute.count(), 1, 'Pat is still muted after pressing Unmute');
    const afterMute = await audioPower(jane.page, 4000);
    t.diagnostic(`received audio power before/after the host mute: ${before.toExponential(3)} / ${afterMute.toExponential(3)}`);
    assert.ok(before > 0 && afterMute * 20 < before,
      `received audio power fell > 20x: ${before.toExponential(3)} -> ${afterMute.toExponential(3)}`);

    // A modified client gains nothing: with Pat's microphone track re-enabled behind the SDK's back, the
    // server still leaves Pat out of the mix.
    const reenabled = await pat.page.evaluate(() => {
      let n = 0;
      for (const pc of window.__medicallPcs || []) {
        for (const sender of pc.getSenders()) {
          if (sender.track?.kind === 'audio') {
            sender.track.enabled = true;
            n += 1;
          }
        }
      }
      return n;
    });
    assert.ok(reenabled > 0, 'Pat has an audio sender to tamper with');
    const sentEnergy = () => pat.page.evaluate(async () => {
      let energy = 0;
      for (const pc of window.__medicallPcs || []) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((r) => { if (r.type === 'media-source' && r.kind === 'audio') energy += r.totalAudioEnergy || 0; });
      }
      return energy;
    });
    const sent0 = await sentEnergy();
    await new Promise((r) => setTimeout(r, 1500));
    const sentPower = ((await sentEnergy()) - sent0) / 1.5;
    t.diagnostic(`Pat's tampered microphone sends power ${sentPower.toExponential(3)}`);
    assert.ok(sentPower * 20 > before, 'the tampered microphone really sends sound again');
    const tampered = await audioPower(jane.page, 4000);
    t.diagnostic(`received audio power with Pat's track re-enabled: ${tampered.toExponential(3)}`);
    assert.ok(tampered * 20 < before, `the server keeps a host-muted attendee out of the mix: ${before.toExponential(3)} -> ${tampered.toExponential(3)}`);

    // Allow to unmute: Pat may unmute again.
    await patRow.getByRole('button', { name: 'Allow to unmute', exact: true }).click();
    await patRow.getByRole('button', { name: 'Mute participant', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await waitFor(async () => {
      if ((await unmute.count()) === 1) await unmute.click().catch(() => {});
      return (await pat.page.getByRole('button', { name: 'Mute', exact: true }).count()) === 1;
    }, { timeoutMs: UI_TIMEOUT, what: 'Pat unmutes once allowed' });

    // End visit for all: both see it ended; the link is dead afterwards.
    await jane.page.getByRole('button', { name: 'End visit for all', exact: true }).click();
    await pat.page.getByText('The visit has ended.', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await jane.page.getByText('The visit has ended.', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await pat.page.goto(link);
    await pat.page.getByText('This visit has ended.', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await pat.page.getByLabel('Your name', { exact: true }).count(), 0, 'no way back into an ended visit');

    for (const p of [jane, pat]) {
      assert.deepEqual(p.logs.filter((l) => l.startsWith('[pageerror]')), [], `${p.name}: uncaught page errors`);
    }
    // Privacy: the server's log (at info) names neither the patient nor the clinician.
    assert.match(server.output(), /INFO/, 'the server logged at info');
    for (const name of ['Pat Smith', 'Jane Doe', 'jane@example.org']) {
      assert.ok(!server.output().includes(name), `the server log does not contain "${name}"`);
    }
    await pat.close();
    browsers.splice(browsers.indexOf(pat), 1);
  }));

  test('transfer: the waiting patient moves to the second clinician without a new link; Remove', () => withDiagnostics('clinic-transfer', async () => {
    await secondClinician();
    await jane.page.goto(`${server.url}/dashboard`);
    const { link } = await createVisitThroughUi(jane, 'Rob Roe');
    await toDashboard(jane);
    const rob = await track(openBrowser('Rob'));
    await patientWaits(rob, link);
    const row = waitingRow(jane, 'Rob');
    await row.waitFor({ timeout: UI_TIMEOUT });
    await row.getByRole('button', { name: 'Transfer', exact: true }).click();
    await row.getByLabel('Transfer to', { exact: true }).selectOption({ label: 'Dr Ann Lee' });
    await row.getByRole('button', { name: 'Confirm transfer', exact: true }).click();

    await rob.page.getByRole('heading', { name: 'Dr Ann Lee will let you in shortly', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await row.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    const annRow = waitingRow(ann, 'Rob');
    await annRow.waitFor({ timeout: UI_TIMEOUT });
    await annRow.getByRole('button', { name: 'Admit', exact: true }).click();
    await inCall(ann);
    await inCall(rob);
    await seesVideoOf(ann, rob);
    // Remove: Rob is out and his link no longer lets him back in.
    await ann.page.getByRole('button', { name: 'Participants', exact: true }).click();
    await ann.page.getByRole('group', { name: 'Host controls for Rob', exact: true })
      .getByRole('button', { name: 'Remove', exact: true }).click();
    await rob.page.getByText('You were removed from the visit.', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await rob.page.goto(link);
    await rob.page.getByText('You were removed from this visit.', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await ann.page.getByRole('button', { name: 'End visit for all', exact: true }).click();
    await ann.page.getByText('The visit has ended.', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await rob.close();
    browsers.splice(browsers.indexOf(rob), 1);
    await ann.page.goto(`${server.url}/dashboard`);
    await ann.page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor({ timeout: UI_TIMEOUT });
  }));

  test('clinic queue: two clinicians take the same patient at once, exactly one gets them', () => withDiagnostics('clinic-queue', async () => {
    await jane.page.goto(`${server.url}/dashboard`);
    await jane.page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor({ timeout: UI_TIMEOUT });
    await secondClinician();
    const sam = await track(openBrowser('Sam'));
    await patientWaits(sam, `${server.url}/c/clinic`);
    const take = (p) => p.page.getByRole('list', { name: 'Clinic queue', exact: true }).getByRole('button', { name: 'Take Sam', exact: true });
    await take(jane).waitFor({ timeout: UI_TIMEOUT });
    await take(ann).waitFor({ timeout: UI_TIMEOUT });
    // Both press Take at the same instant: each page clicks at one agreed wall-clock time (a click through
    // Playwright would let the first take's event remove the second page's button before it is pressed).
    const at = Date.now() + 600;
    await Promise.all([jane, ann].map((p) => take(p).evaluate((button, when) => {
      setTimeout(() => button.click(), Math.max(0, when - Date.now()));
    }, at)));

    const outcome = async (p) => {
      const won = p.page.getByText('Sam is now waiting for you.', { exact: true });
      const lost = p.page.getByText('Another clinician already took Sam.', { exact: true });
      return waitFor(async () => ((await won.count()) ? 'won' : (await lost.count()) ? 'lost' : null),
        { timeoutMs: UI_TIMEOUT, what: `${p.name}: the take's outcome (logs: ${recentLogs(p)})` });
    };
    const results = [await outcome(jane), await outcome(ann)];
    assert.deepEqual([...results].sort(), ['lost', 'won'], `exactly one winner: ${JSON.stringify(results)}`);
    const winner = results[0] === 'won' ? jane : ann;
    const loser = winner === jane ? ann : jane;
    await waitingRow(winner, 'Sam').waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await waitingRow(loser, 'Sam').count(), 0, 'the loser has no Sam waiting');
    await take(loser).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await sam.page.getByRole('heading', { name: `${winner.name} will let you in shortly`, exact: true }).waitFor({ timeout: UI_TIMEOUT });

    await waitingRow(winner, 'Sam').getByRole('button', { name: 'Admit', exact: true }).click();
    await inCall(winner);
    await inCall(sam);
  }));
});

describe('MEDICALL_OPEN_ROOMS=0', () => {
  test('the start page links to the login instead of the open-room form', () => withDiagnostics('clinic-no-open-rooms', async () => {
    const closed = await startClinicServer({ env: { MEDICALL_OPEN_ROOMS: '0' } });
    try {
      const p = await track(openBrowser('Visitor'));
      await p.page.goto(closed.url);
      await p.page.getByRole('link', { name: 'Log in', exact: true }).waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await p.page.getByLabel('Room ID', { exact: true }).count(), 0, 'no open-room form');
      await p.page.getByRole('link', { name: 'Log in', exact: true }).click();
      await p.page.getByRole('button', { name: 'Log in', exact: true }).waitFor({ timeout: UI_TIMEOUT });
      const join = await fetch(`${closed.url}/join`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'A', roomId: 'room-1' }),
      });
      assert.notEqual(join.status, 200, 'POST /join refused with open rooms off');
    } finally {
      await closed.stop();
    }
  }));
});
