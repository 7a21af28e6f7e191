// Builds the SDK's DefaultMeetingSession from /join's JoinInfo and wraps it in a MeetingController.

import { DefaultMeetingSession, MeetingSessionConfiguration } from 'amazon-chime-sdk-js';

import { fetchRoster, type JoinInfo } from './api';
import type { DeviceManager } from './DeviceManager';
import { MeetingController } from './MeetingController';

export interface SessionHandle {
  session: DefaultMeetingSession;
  controller: MeetingController;
}

export function createSession(joinInfo: JoinInfo, roomId: string, selfName: string, devices: DeviceManager): SessionHandle {
  const configuration = new MeetingSessionConfiguration(joinInfo.Meeting, joinInfo.Attendee);
  const session = new DefaultMeetingSession(configuration, devices.logger, devices.controller);
  const controller = new MeetingController({
    audioVideo: session.audioVideo,
    selfAttendeeId: joinInfo.Attendee.AttendeeId,
    selfName,
    loadRoster: () => fetchRoster(roomId),
  });
  return { session, controller };
}
