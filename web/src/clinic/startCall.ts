// From a JoinInfo to a running call: the session, the devices chosen on the device check, start.
// Shared by the open-room join and the clinic's admit.

import type { JoinInfo } from '../meeting/api';
import type { DeviceManager } from '../meeting/DeviceManager';
import { createSession, type SessionHandle } from '../meeting/session';
import type { DeviceChoice } from '../components/DeviceCheck';

export async function startCall(
  info: JoinInfo,
  rosterRoom: string,
  name: string,
  devices: DeviceManager,
  choice: DeviceChoice,
  preview: HTMLVideoElement | null,
): Promise<SessionHandle> {
  const handle = createSession(info, rosterRoom, name, devices);
  devices.stopMeter();
  if (preview) devices.detachPreview(preview);
  if (!choice.videoOn) await devices.stopCamera(null).catch(() => undefined);
  if (choice.audioOutputId) await handle.controller.chooseAudioOutput(choice.audioOutputId);
  handle.controller.start(choice);
  return handle;
}

/** The room name /api/roster/:roomId knows a clinic visit's meeting by. */
export function rosterRoomOf(info: JoinInfo): string {
  return typeof info.Meeting.ExternalMeetingId === 'string' && info.Meeting.ExternalMeetingId !== ''
    ? info.Meeting.ExternalMeetingId
    : info.Meeting.MeetingId;
}

/**
 * Devices for a call started without the device check on screen (Admit from the dashboard):
 * the first microphone (started, so the call has sound) and the first camera.
 */
export async function defaultChoice(devices: DeviceManager): Promise<DeviceChoice> {
  const lists = await devices.listDevices().catch(() => null);
  const audioInputId = lists?.audioInputs[0]?.deviceId ?? null;
  if (audioInputId) {
    await devices.startMicrophone(audioInputId, () => undefined);
    devices.stopMeter();
  }
  return {
    videoOn: (lists?.videoInputs.length ?? 0) > 0,
    muted: false,
    audioInputId,
    videoInputId: lists?.videoInputs[0]?.deviceId ?? null,
    audioOutputId: lists?.audioOutputs[0]?.deviceId ?? null,
  };
}
