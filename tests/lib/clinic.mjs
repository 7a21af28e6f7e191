// Helpers for the clinic API suites (issue 12): the `medicall user|audit` commands on a test
// server's data directory, an HTTP client with a cookie jar and the CSRF header, and a
// server-sent events reader.
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { SERVER_BINARY } from './server.mjs';

// Runs `medicall <args>` on the server's data directory: {status, stdout, stderr}.
export function cli(server, args) {
  const r = spawnSync(SERVER_BINARY, [...args, '--data-dir', server.dataDir], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    timeout: 30000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// One browser: keeps the session cookie and the CSRF token of the last session it was given.
export class ClinicClient {
  constructor(server) {
    this.server = server;
    this.cookie = '';
    this.csrf = '';
    this.setCookies = [];
  }

  async request(method, path, body, { csrf = true, headers = {} } = {}) {
    const h = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.cookie) h.cookie = this.cookie;
    if (csrf && this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    const res = await fetch(`${this.server.url}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      this.setCookies.push(setCookie);
      const [pair] = setCookie.split(';');
      this.cookie = /=$/.test(pair) ? '' : pair;
    }
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (json?.csrfToken) this.csrf = json.csrfToken;
    return { status: res.status, json, text, headers: res.headers };
  }

  get(path, options) { return this.request('GET', path, undefined, options); }
  post(path, body = {}, options) { return this.request('POST', path, body, options); }

  async login(email, password) {
    const r = await this.post('/api/auth/login', { email, password });
    assert.equal(r.status, 200, r.text);
    return r.json;
  }

  // An event stream on `path` with this client's cookie.
  async events(path) {
    const controller = new AbortController();
    const res = await fetch(`${this.server.url}${path}`, {
      headers: this.cookie ? { cookie: this.cookie } : {},
      signal: controller.signal,
    });
    return new EventReader(res, controller);
  }
}

// Parses a text/event-stream response into {event, data} items, in order.
export class EventReader {
  constructor(res, controller) {
    this.res = res;
    this.status = res.status;
    this.contentType = res.headers.get('content-type');
    this.controller = controller;
    this.events = [];
    this.waiters = [];
    this.ended = false;
    this.buffer = '';
    if (res.ok) this.pump();
  }

  async pump() {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.res.body) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          let event = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) this.events.push({ event, data: JSON.parse(data.join('\n')) });
          this.wake();
        }
      }
    } catch {
      // aborted
    }
    this.ended = true;
    this.wake();
  }

  wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  // The first event (from the start of the stream, consumed in order) named `event` for which
  // `match(data)` holds.
  async next(event, match = () => true, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.events.findIndex((e) => e.event === event && match(e.data));
      if (i >= 0) return this.events.splice(0, i + 1)[i].data;
      if (this.ended) throw new Error(`stream ended before event ${event}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${event} event within ${timeoutMs} ms: ${JSON.stringify(this.events)}`);
      await new Promise((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  close() { this.controller.abort(); }
}

// Creates an account with the CLI and sets its password through the API: {email, password, token}.
export async function addUser(server, { role = 'clinician', name, email, password = 'a long password 1' }) {
  const r = cli(server, ['user', 'add', '--role', role, '--name', name, '--email', email]);
  assert.equal(r.status, 0, r.stderr);
  const m = r.stdout.match(/Set-password link \(valid 24 h\): (\S+)\/set-password\/([A-Za-z0-9_-]+)/);
  assert.ok(m, r.stdout);
  const res = await fetch(`${server.url}/api/auth/set-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: m[2], password }),
  });
  assert.equal(res.status, 204, await res.text());
  return { email, password, token: m[2] };
}
