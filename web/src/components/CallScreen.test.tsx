// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  MeetingSessionStatus,
  MeetingSessionStatusCode,
  type AudioVideoFacade,
  type AudioVideoObserver,
  type ContentShareObserver,
  type VideoTileState,
} from 'amazon-chime-sdk-js';
import { lightTheme } from 'amazon-chime-sdk-component-library-react';
import { ThemeProvider } from 'styled-components';
import { afterEach, describe, expect, it } from 'vitest';

import { MeetingController } from '../meeting/MeetingController';
import { CallScreen } from './CallScreen';

afterEach(cleanup);

type Presence = (id: string, present: boolean, ext?: string, dropped?: boolean) => void;

/** Just enough of the SDK facade for the call screen to render from controller state. */
function fakeAudioVideo() {
  const observers = new Set<AudioVideoObserver>();
  const contentObservers = new Set<ContentShareObserver>();
  const presence: Presence[] = [];
  const mute: ((m: boolean) => void)[] = [];
  const volume = new Map<string, (id: string, v: number | null, m: boolean | null, s: number | null) => void>();
  const calls: string[] = [];
  const av = {
    addObserver: (o: AudioVideoObserver) => observers.add(o),
    removeObserver: (o: AudioVideoObserver) => observers.delete(o),
    addDeviceChangeObserver() {},
    removeDeviceChangeObserver() {},
    addContentShareObserver: (o: ContentShareObserver) => contentObservers.add(o),
    removeContentShareObserver: (o: ContentShareObserver) => contentObservers.delete(o),
    // Like the SDK: the share starts once the server announced "<self>#content" (the test does that).
    startContentShareFromScreenCapture: async () => void calls.push('startContentShare'),
    stopContentShare: () => {
      calls.push('stopContentShare');
      contentObservers.forEach((o) => o.contentShareDidStop?.());
    },
    realtimeSubscribeToAttendeeIdPresence: (cb: Presence) => presence.push(cb),
    realtimeUnsubscribeToAttendeeIdPresence() {},
    realtimeSubscribeToMuteAndUnmuteLocalAudio: (cb: (m: boolean) => void) => mute.push(cb),
    realtimeUnsubscribeToMuteAndUnmuteLocalAudio() {},
    realtimeSubscribeToLocalSignalStrengthChange() {},
    realtimeUnsubscribeToLocalSignalStrengthChange() {},
    realtimeSubscribeToReceiveDataMessage() {},
    realtimeUnsubscribeFromReceiveDataMessage() {},
    realtimeSubscribeToVolumeIndicator: (id: string, cb: never) => volume.set(id, cb),
    realtimeUnsubscribeFromVolumeIndicator() {},
    realtimeSendDataMessage: () => calls.push('send'),
    realtimeMuteLocalAudio: () => mute.forEach((m) => m(true)),
    realtimeUnmuteLocalAudio: () => (mute.forEach((m) => m(false)), true),
    start: () => calls.push('start'),
    // Like the SDK, stop() reports audioVideoDidStop(Left) a little later.
    stop: () => {
      calls.push('stop');
      queueMicrotask(() =>
        observers.forEach((o) => o.audioVideoDidStop?.(new MeetingSessionStatus(MeetingSessionStatusCode.Left))),
      );
    },
    startLocalVideoTile: () => 1,
    stopLocalVideoTile: () => calls.push('stopLocalVideoTile'),
    startVideoInput: async () => undefined,
    stopVideoInput: async () => undefined,
    stopAudioInput: async () => undefined,
    listAudioInputDevices: async () => [],
    listVideoInputDevices: async () => [],
    listAudioOutputDevices: async () => [],
    bindVideoElement: (id: number) => calls.push(`bind:${id}`),
    unbindVideoElement: (id: number) => calls.push(`unbind:${id}`),
    bindAudioElement: async () => calls.push('bindAudio'),
  };
  return { av: av as unknown as AudioVideoFacade, observers, contentObservers, presence, volume, calls };
}

async function setup({ contentShareEnabled = false, canShare = true } = {}) {
  const fake = fakeAudioVideo();
  const controller = new MeetingController({
    audioVideo: fake.av,
    selfAttendeeId: 'self',
    selfName: 'Alice',
    loadRoster: async () => ({ bob: 'Bob' }),
    schedule: () => {},
  });
  controller.start({ videoOn: false, muted: false, audioInputId: null, videoInputId: null, audioOutputId: null });
  render(
    <ThemeProvider theme={lightTheme}>
      <CallScreen controller={controller} roomId="consult-42" contentShareEnabled={contentShareEnabled} canShare={canShare} />
    </ThemeProvider>,
  );
  await act(async () => {
    fake.presence.forEach((p) => p('self', true));
    fake.presence.forEach((p) => p('bob', true));
    await new Promise((r) => setTimeout(r, 0));
  });
  return { controller, ...fake };
}

describe('CallScreen', () => {
  it('labels the remote tile with the name, binds its video, and shows the join notice', async () => {
    const { observers, calls } = await setup();
    const tile = screen.getByRole('group', { name: 'Bob' });
    expect(screen.getByRole('status', { name: 'Notifications' }).textContent).toContain('Bob joined');
    act(() => {
      observers.forEach((o) =>
        o.videoTileDidUpdate?.({ tileId: 7, boundAttendeeId: 'bob', localTile: false, isContent: false, paused: false } as VideoTileState),
      );
    });
    expect(tile.querySelector('video')).not.toBeNull();
    expect(calls).toContain('bind:7');
  });

  it('has the control names, toggles mute, and hides screen share behind the flag', async () => {
    const { volume } = await setup();
    const user = userEvent.setup();
    for (const name of ['Mute', 'Start video', 'Chat', 'Participants', 'End call']) {
      expect(screen.getByRole('button', { name })).toBeTruthy();
    }
    expect(screen.queryByRole('button', { name: 'Share screen' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Mute' }));
    expect(screen.getByRole('button', { name: 'Unmute' })).toBeTruthy();
    act(() => volume.get('bob')!('bob', 0.8, true, 1));
    const tile = screen.getByRole('group', { name: 'Bob' });
    expect(within(tile).getByText('Muted')).toBeTruthy();
  });

  it('lists participants with mute state and sends chat', async () => {
    const { calls } = await setup();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Participants' }));
    const list = screen.getByRole('list', { name: 'Participants in this call' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => i.textContent)).toEqual([
      expect.stringContaining('Alice'),
      expect.stringContaining('Bob'),
    ]);
    await user.click(screen.getByRole('button', { name: 'Chat' }));
    await user.type(screen.getByLabelText('Message'), 'Hello Bob{Enter}');
    expect(calls).toContain('send');
    expect(screen.getByRole('log').textContent).toContain('Hello Bob');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('log')).toBeNull();
  });

  it('shows the reconnecting banner and leaves on End call', async () => {
    const { observers, calls, controller } = await setup();
    act(() => observers.forEach((o) => o.audioVideoDidStartConnecting?.(true)));
    expect(screen.getByRole('alert').textContent).toMatch(/reconnecting/i);
    await userEvent.setup().click(screen.getByRole('button', { name: 'End call' }));
    expect(calls).toContain('stop');
    await waitFor(() => expect(controller.state.phase).toBe('ended'));
  });

  it('offers Share screen only with the feature and getDisplayMedia, and operates it from the keyboard', async () => {
    cleanup();
    await setup({ contentShareEnabled: true, canShare: false });
    expect(screen.queryByRole('button', { name: 'Share screen' })).toBeNull();
    cleanup();
    const { calls, contentObservers } = await setup({ contentShareEnabled: true });
    const user = userEvent.setup();
    const share = screen.getByRole('button', { name: 'Share screen' });
    share.focus();
    await user.keyboard('{Enter}');
    expect(calls).toContain('startContentShare');
    act(() => contentObservers.forEach((o) => o.contentShareDidStart?.()));
    const stop = screen.getByRole('button', { name: 'Stop sharing' });
    stop.focus();
    await user.keyboard(' ');
    expect(calls).toContain('stopContentShare');
    expect(screen.getByRole('button', { name: 'Share screen' })).toBeTruthy();
  });

  it('shows a shared screen large, letterboxed, with "Bob is sharing" and the cameras beside it', async () => {
    const { observers, calls } = await setup();
    const tile = (tileId: number, attendee: string, isContent = false) =>
      ({ tileId, boundAttendeeId: attendee, localTile: false, isContent, paused: false }) as VideoTileState;
    act(() => observers.forEach((o) => o.videoTileDidUpdate?.(tile(7, 'bob'))));
    expect(screen.getByRole('group', { name: 'Bob' }).getAttribute('data-fit')).toBe('contain');
    act(() => observers.forEach((o) => o.videoTileDidUpdate?.(tile(9, 'bob#content', true))));

    expect(screen.getByText('Bob is sharing')).toBeTruthy();
    const shared = screen.getByRole('group', { name: 'Screen shared by Bob' });
    expect(shared.getAttribute('data-fit')).toBe('contain');
    expect(shared.querySelector('video')).not.toBeNull();
    expect(calls).toContain('bind:9');
    // The cameras sit beside it as thumbnails that fill; the content attendee is no person.
    const cameras = screen.getByRole('region', { name: 'Cameras' });
    expect(within(cameras).getByRole('group', { name: 'Bob' }).getAttribute('data-fit')).toBe('cover');
    expect(within(cameras).getByRole('group', { name: 'Your video' })).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'Someone' })).toBeNull();

    // Fill, then back to the whole frame.
    const fill = screen.getByRole('button', { name: 'Fill' });
    expect(fill.getAttribute('aria-pressed')).toBe('false');
    await userEvent.setup().click(fill);
    expect(screen.getByRole('button', { name: 'Fill' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('group', { name: 'Screen shared by Bob' }).getAttribute('data-fit')).toBe('cover');

    // The share ends: back to the grid, the camera tile still there.
    act(() => observers.forEach((o) => o.videoTileWasRemoved?.(9)));
    expect(screen.queryByText('Bob is sharing')).toBeNull();
    expect(screen.queryByRole('region', { name: 'Cameras' })).toBeNull();
    expect(screen.getByRole('group', { name: 'Bob' }).querySelector('video')).not.toBeNull();
  });

  it('tells the sharer that their own screen is being shared', async () => {
    const { observers } = await setup();
    act(() =>
      observers.forEach((o) =>
        o.videoTileDidUpdate?.({ tileId: 11, boundAttendeeId: 'self#content', localTile: false, isContent: true, paused: false } as VideoTileState),
      ),
    );
    expect(screen.getByText('You are sharing your screen')).toBeTruthy();
  });
});
