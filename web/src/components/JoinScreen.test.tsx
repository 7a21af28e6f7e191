// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';

import type { DeviceCheckApi, DeviceLists } from '../meeting/DeviceManager';
import { JoinScreen, type JoinRequest } from './JoinScreen';

afterEach(cleanup);

class FakeDevices implements DeviceCheckApi {
  started: string[] = [];
  constructor(
    private readonly lists: DeviceLists,
    private readonly cameraError: string | null = null,
  ) {}
  async listDevices() { return this.lists; }
  async startCamera(id: string) {
    this.started.push(`camera:${id}`);
    return this.cameraError ? { kind: 'permission' as const, message: this.cameraError } : null;
  }
  async stopCamera() { this.started.push('camera:stop'); }
  async startMicrophone(id: string, onLevel: (l: number) => void) {
    this.started.push(`mic:${id}`);
    onLevel(0.42);
    return null;
  }
  stopMeter() {}
  async stopMicrophone() {}
  async playTestSound() { this.started.push('sound'); }
  detachPreview() {}
}

const twoDevices: DeviceLists = {
  audioInputs: [{ deviceId: 'mic1', label: 'Headset mic' }],
  videoInputs: [{ deviceId: 'cam1', label: 'Front camera' }],
  audioOutputs: [{ deviceId: 'spk1', label: 'Headphones' }],
  labelsVisible: true,
};

function renderJoin(onJoin: (r: JoinRequest) => Promise<string | null>, devices = new FakeDevices(twoDevices), room = '') {
  render(
    <JoinScreen
      initialRoomId={room}
      message={null}
      devices={devices}
      origin="https://medicall.test"
      onJoin={onJoin}
      makeRoomId={() => 'k7qmxe-2hw9ra-p3tzvd-mq8c4n'}
    />,
  );
  return devices;
}

describe('JoinScreen', () => {
  it('has the accessible names the tests and screen readers rely on, and joins', async () => {
    const requests: JoinRequest[] = [];
    const devices = renderJoin(async (r) => {
      requests.push(r);
      return null;
    }, undefined, 'consult-42');
    const user = userEvent.setup();
    expect((screen.getByLabelText('Room ID') as HTMLInputElement).value).toBe('consult-42');
    await user.type(screen.getByLabelText('Name'), '  Dr. Alice ');
    await waitFor(() => expect(devices.started).toContain('camera:cam1'));
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      name: 'Dr. Alice',
      roomId: 'consult-42',
      choice: { videoOn: true, audioInputId: 'mic1', videoInputId: 'cam1', audioOutputId: 'spk1' },
    });
  });

  it('makes a new room with a share link', async () => {
    renderJoin(async () => null);
    await userEvent.setup().click(screen.getByRole('button', { name: 'New room' }));
    expect((screen.getByLabelText('Room ID') as HTMLInputElement).value).toBe('k7qmxe-2hw9ra-p3tzvd-mq8c4n');
    expect((screen.getByLabelText('Link to share') as HTMLInputElement).value).toBe(
      'https://medicall.test/?room=k7qmxe-2hw9ra-p3tzvd-mq8c4n',
    );
  });

  it('asks for a name before calling the server, and shows the server error', async () => {
    let calls = 0;
    renderJoin(async () => {
      calls++;
      return 'This room is full. Ask the person who invited you for a new link, or try again later.';
    }, undefined, 'r1');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect(calls).toBe(0);
    expect(screen.getByRole('alert').textContent).toMatch(/enter your name/i);
    await user.type(screen.getByLabelText('Name'), 'Bob');
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect(calls).toBe(1);
    expect(screen.getByRole('alert').textContent).toMatch(/room is full/i);
    expect((screen.getByRole('button', { name: 'Join' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('shows the microphone level and explains missing or blocked devices', async () => {
    const devices = new FakeDevices(
      { audioInputs: [{ deviceId: 'mic1', label: 'Mic' }], videoInputs: [], audioOutputs: [], labelsVisible: true },
    );
    renderJoin(async () => null, devices);
    await waitFor(() => expect(screen.getByRole('meter').getAttribute('aria-valuenow')).toBe('42'));
    expect(screen.getByRole('alert').textContent).toMatch(/no camera found/i);
    expect((screen.getByRole('checkbox', { name: 'Join with camera on' }) as HTMLInputElement).checked).toBe(false);
    cleanup();
    renderJoin(async () => null, new FakeDevices(twoDevices, 'Access to your camera is blocked.'));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/camera is blocked/i));
  });

  it('plays the speaker test on the chosen output', async () => {
    const devices = renderJoin(async () => null);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Test speaker' }));
    await waitFor(() => expect(screen.getByText(/did you hear a chime/i)).toBeTruthy());
    expect(devices.started).toContain('sound');
  });
});

describe('JoinScreen on a plain-HTTP page from another device', () => {
  it('says to open the page over HTTPS instead of "no camera found"', async () => {
    Object.defineProperty(window, 'isSecureContext', { value: false, configurable: true });
    try {
      const devices = renderJoin(async () => null, new FakeDevices(twoDevices));
      expect(await screen.findByText(/Open this page over HTTPS to use your camera and microphone/)).toBeTruthy();
      expect(screen.queryByText(/No camera found/)).toBeNull();
      expect(devices.started.filter((s) => s.startsWith('camera:cam'))).toEqual([]);
    } finally {
      Object.defineProperty(window, 'isSecureContext', { value: undefined, configurable: true });
    }
  });
});
