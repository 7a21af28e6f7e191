// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { lightTheme } from 'amazon-chime-sdk-component-library-react';
import { ThemeProvider } from 'styled-components';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { ParticipantsPanel } from '../components/ParticipantsPanel';
import type { DeviceManager } from '../meeting/DeviceManager';
import type { HostActions } from '../meeting/hostControls';
import type { ParticipantView } from '../meeting/roster';
import { ClinicApi, ClinicApiError } from './api';
import { fetchOpenRooms, HomePage } from './HomePage';
import { LoginPage } from './LoginPage';
import { kLoginFailed } from './messages';
import { PatientPage } from './PatientPage';
import { newPasswordProblem } from './SetPasswordPage';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

class FakeLoginApi extends ClinicApi {
  constructor(private readonly outcome: () => Promise<void>) {
    super(async () => new Response(null, { status: 500 }));
  }
  override async login() {
    await this.outcome();
    return { id: 'u', name: 'Dr Jane Doe', email: 'jane@example.org', role: 'clinician' as const, clinic: 'clinic' };
  }
}

describe('LoginPage', () => {
  it('shows one generic message for a refused login and moves on after a good one', async () => {
    const user = userEvent.setup();
    let refuse = true;
    const loggedIn = vi.fn();
    render(
      <LoginPage
        api={new FakeLoginApi(async () => {
          if (refuse) throw new ClinicApiError(401, 'InvalidCredentials', 'No account for jane@example.org');
        })}
        onLoggedIn={loggedIn}
      />,
    );
    await user.type(screen.getByLabelText('Email'), 'jane@example.org');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe(kLoginFailed);
    expect(screen.queryByText(/jane@example.org/)).toBeNull();
    refuse = false;
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(loggedIn).toHaveBeenCalledOnce());
  });
});

describe('newPasswordProblem', () => {
  it('asks for 10 characters and a matching confirmation', () => {
    expect(newPasswordProblem('short', 'short')).toMatch(/10 characters/);
    expect(newPasswordProblem('long enough pw', 'long enough pX')).toMatch(/not the same/);
    expect(newPasswordProblem('long enough pw', 'long enough pw')).toBeNull();
  });
});

const people: ParticipantView[] = [
  { attendeeId: 'doc', externalUserId: null, isSelf: true, muted: false, signalStrength: 1, videoOn: true, joinedSeq: 0, name: 'Dr Jane Doe' },
  { attendeeId: 'pat', externalUserId: null, isSelf: false, muted: false, signalStrength: 1, videoOn: true, joinedSeq: 1, name: 'Pat' },
];

function renderPanel(host?: { actions: HostActions; hostMuted: Record<string, true> }) {
  return render(
    <ThemeProvider theme={lightTheme}>
      <ParticipantsPanel participants={people} onClose={() => undefined} host={host} />
    </ThemeProvider>,
  );
}

describe('ParticipantsPanel host controls', () => {
  it('gives a clinician Mute participant / Remove for others and End visit for all', async () => {
    const user = userEvent.setup();
    const calls: string[] = [];
    const actions: HostActions = {
      setMuted: async (id, muted) => void calls.push(`mute ${id} ${muted}`),
      remove: async (id) => void calls.push(`remove ${id}`),
      endVisit: async () => void calls.push('end'),
    };
    const { rerender } = renderPanel({ actions, hostMuted: {} });
    const patControls = screen.getByRole('group', { name: 'Host controls for Pat' });
    expect(screen.queryByRole('group', { name: 'Host controls for Dr Jane Doe' })).toBeNull();
    await user.click(within(patControls).getByRole('button', { name: 'Mute participant' }));
    await user.click(within(patControls).getByRole('button', { name: 'Remove' }));
    await user.click(screen.getByRole('button', { name: 'End visit for all' }));
    expect(calls).toEqual(['mute pat true', 'remove pat', 'end']);
    rerender(
      <ThemeProvider theme={lightTheme}>
        <ParticipantsPanel participants={people} onClose={() => undefined} host={{ actions, hostMuted: { pat: true } }} />
      </ThemeProvider>,
    );
    await user.click(screen.getByRole('button', { name: 'Allow to unmute' }));
    expect(calls.at(-1)).toBe('mute pat false');
  });

  it('shows a patient none of them', () => {
    renderPanel();
    for (const name of ['Mute participant', 'Allow to unmute', 'Remove', 'End visit for all']) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
  });
});

// The device check's needs, with no devices at all (jsdom has no media).
const noDevices = {
  listDevices: async () => ({ audioInputs: [], videoInputs: [], audioOutputs: [], labelsVisible: false }),
  startCamera: async () => null,
  stopCamera: async () => undefined,
  startMicrophone: async () => null,
  stopMeter: () => undefined,
  stopMicrophone: async () => undefined,
  playTestSound: async () => undefined,
  detachPreview: () => undefined,
} as unknown as DeviceManager;

type Listener = (e: MessageEvent) => void;
class FakeEventSource {
  static last: FakeEventSource | null = null;
  listeners = new Map<string, Listener>();
  onerror = null;
  onopen = null;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, l: Listener) {
    this.listeners.set(type, l);
  }
  close() {}
  emit(type: string, data: unknown) {
    this.listeners.get(type)?.(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

function stubServer(routes: Record<string, { status: number; body?: unknown }>) {
  const seen: string[] = [];
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const key = `${init?.method ?? 'GET'} ${url}`;
    seen.push(key);
    const r = routes[key] ?? { status: 404, body: { error: 'NotFound' } };
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), { status: r.status });
  });
  vi.stubGlobal('EventSource', FakeEventSource);
  return seen;
}

describe('PatientPage', () => {
  it.each([
    [410, 'LinkExpired', 'This visit link has expired.'],
    [410, 'VisitEnded', 'This visit has ended.'],
    [410, 'Removed', 'You were removed from this visit.'],
    [404, 'LinkInvalid', 'This visit link is not valid.'],
  ])('says what is wrong with a refused link (%i %s)', async (status, error, text) => {
    stubServer({ 'GET /api/patient/visits/tok': { status, body: { error, message: 'x' } } });
    render(<PatientPage place={{ kind: 'visit', token: 'tok' }} devices={noDevices} contentShareEnabled={false} />);
    expect((await screen.findByRole('alert')).textContent).toBe(text);
    expect(screen.queryByLabelText('Your name')).toBeNull();
  });

  it('waits with a name, shows who lets them in and the clinician messages at once', async () => {
    const user = userEvent.setup();
    const seen = stubServer({
      'GET /api/patient/visits/tok': { status: 200, body: { visit: { id: 'v1', clinicianName: 'Dr Jane Doe', status: 'scheduled' } } },
      'POST /api/patient/visits/tok/wait': { status: 200, body: { waitId: 'w1', csrfToken: 'c' } },
    });
    render(<PatientPage place={{ kind: 'visit', token: 'tok' }} devices={noDevices} contentShareEnabled={false} />);
    await user.type(await screen.findByLabelText('Your name'), 'Pat');
    await user.click(screen.getByRole('button', { name: 'Join the waiting room' }));
    await screen.findByRole('heading', { name: 'Dr Jane Doe will let you in shortly' });
    expect(seen).toContain('POST /api/patient/visits/tok/wait');
    const source = FakeEventSource.last!;
    expect(source.url).toBe('/api/patient/events');
    source.emit('status', { status: 'waiting', clinicianName: 'Dr Jane Doe', messages: [] });
    source.emit('message', { text: 'Running 5 minutes late', at: 1 });
    const log = await screen.findByRole('log', { name: 'Messages from your clinician' });
    await within(log).findByText('Running 5 minutes late');
    source.emit('transferred', { clinicianName: 'Dr Ann Lee' });
    await screen.findByRole('heading', { name: 'Dr Ann Lee will let you in shortly' });
    source.emit('ended', { reason: 'VisitEnded' });
    expect((await screen.findByRole('alert')).textContent).toBe('The visit has ended.');
  });
});

describe('HomePage', () => {
  it('keeps the open-room form unless the server turned open rooms off', async () => {
    const reply = (body: unknown, status = 200) => async () => new Response(JSON.stringify(body), { status });
    expect(await fetchOpenRooms(reply({ secureUrl: null }))).toBe(true);
    expect(await fetchOpenRooms(reply({ openRooms: true }))).toBe(true);
    expect(await fetchOpenRooms(reply({ openRooms: false }))).toBe(false);
    expect(await fetchOpenRooms(reply({}, 404))).toBe(true);
  });

  it('shows a link to the login when open rooms are off', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ openRooms: false }), { status: 200 }));
    render(<HomePage openRoom={() => <p>open room form</p>} />);
    expect((await screen.findByRole('link', { name: 'Log in' })).getAttribute('href')).toBe('/login');
    expect(screen.queryByText('open room form')).toBeNull();
  });

  it('shows the open-room form otherwise', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ secureUrl: null }), { status: 200 }));
    render(<HomePage openRoom={() => <p>open room form</p>} />);
    await screen.findByText('open room form');
  });
});
