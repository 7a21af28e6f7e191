// Issue 15: CORS for a frontend on its own origin. With MEDICALL_CORS_ORIGINS naming that origin, a page
// there (in Firefox ESR) can POST /join, GET /api/roster/:roomId and POST /events on the server; a page
// on an origin not listed cannot (the browser blocks the response). The web app the server serves is
// same-origin and needs none of this.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { launchFirefox } from '../lib/firefox.mjs';
import { freeTcpPort, startServer } from '../lib/server.mjs';

let server;
let firefox;
const pages = [];

// A bare page on its own origin (another port on loopback).
async function servePage() {
  const port = await freeTcpPort();
  const srv = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>frontend</title>');
  });
  await new Promise((resolve) => srv.listen(port, '127.0.0.1', resolve));
  pages.push(srv);
  return `http://127.0.0.1:${port}`;
}

// Calls the three endpoints from the page at `origin`; each result is {status} or {error}.
async function callFrom(origin, api) {
  await firefox.page.goto(`${origin}/`);
  return firefox.page.evaluate(async (base) => {
    const attempt = async (url, init) => {
      try {
        const res = await fetch(url, init);
        return { status: res.status, body: await res.text() };
      } catch (e) {
        return { error: String(e) };
      }
    };
    const join = await attempt(`${base}/join`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Remote Frontend', roomId: 'cors-room' }),
    });
    const roster = await attempt(`${base}/api/roster/cors-room`, {});
    const events = await attempt(`${base}/events`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"events":[]}',
    });
    return { join, roster, events };
  }, api);
}

before(async () => {
  const allowed = await servePage();
  server = await startServer({ env: { MEDICALL_CORS_ORIGINS: allowed } });
  server.allowedOrigin = allowed;
  firefox = await launchFirefox();
});

after(async () => {
  await firefox?.close();
  await server?.stop();
  for (const p of pages) p.close();
});

describe('CORS for /join, /api/roster and /events', () => {
  test('a listed origin calls the app endpoints from Firefox', async () => {
    const r = await callFrom(server.allowedOrigin, server.url);
    assert.equal(r.join.status, 200, JSON.stringify(r.join));
    assert.ok(JSON.parse(r.join.body).JoinInfo.Attendee.AttendeeId);
    assert.equal(r.roster.status, 200, JSON.stringify(r.roster));
    assert.ok(Object.values(JSON.parse(r.roster.body).roster).includes('Remote Frontend'));
    // The events endpoint answers (its own status, readable by the page), not a CORS failure.
    assert.equal(typeof r.events.status, 'number', JSON.stringify(r.events));
  });

  test('an origin not listed is blocked by the browser', async () => {
    const other = await servePage();
    const r = await callFrom(other, server.url);
    for (const [name, result] of Object.entries(r)) {
      assert.match(result.error || '', /TypeError|NetworkError/, `${name}: ${JSON.stringify(result)}`);
    }
  });
});
