// Camera, microphone and speaker before and during the call. One DefaultDeviceController serves the
// device check on the join screen and is handed to the meeting session, so the camera is not reopened.

import { ConsoleLogger, DefaultDeviceController, LogLevel, type Logger } from 'amazon-chime-sdk-js';

import type { DeviceOption } from './MeetingController';
import { describeMediaError, levelFromTimeDomain, type MediaProblem } from './status';

export interface DeviceLists {
  audioInputs: DeviceOption[];
  videoInputs: DeviceOption[];
  audioOutputs: DeviceOption[];
  /** Labels are empty until the browser was allowed to use the devices. */
  labelsVisible: boolean;
}

function toOptions(devices: MediaDeviceInfo[], fallback: string): DeviceOption[] {
  return devices
    .filter((d) => d.deviceId !== '')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
}

export function createLogger(): Logger {
  return new ConsoleLogger('MediCall', LogLevel.WARN);
}

/** Asks for camera and microphone together, then each alone, so one missing device does not hide the other. */
async function labelTrigger(): Promise<MediaStream> {
  const attempts: MediaStreamConstraints[] = [{ audio: true, video: true }, { audio: true }, { video: true }];
  let first: unknown = null;
  for (const constraints of attempts) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (error) {
      first ??= error;
      const name = (error as { name?: string }).name;
      if (name === 'NotAllowedError' || name === 'SecurityError') break;
    }
  }
  throw first;
}

/** What the join screen's device check needs; DeviceManager implements it, tests fake it. */
export interface DeviceCheckApi {
  listDevices(): Promise<DeviceLists>;
  startCamera(deviceId: string, preview: HTMLVideoElement): Promise<MediaProblem | null>;
  stopCamera(preview: HTMLVideoElement | null): Promise<void>;
  startMicrophone(deviceId: string, onLevel: (level: number) => void): Promise<MediaProblem | null>;
  stopMeter(): void;
  stopMicrophone(): Promise<void>;
  playTestSound(outputDeviceId: string | null): Promise<void>;
  /** Keeps the camera running for the call but detaches it from the preview element. */
  detachPreview(preview: HTMLVideoElement): void;
}

export class DeviceManager implements DeviceCheckApi {
  readonly logger: Logger;
  readonly controller: DefaultDeviceController;
  private meterStop: (() => void) | null = null;

  constructor(logger: Logger = createLogger()) {
    this.logger = logger;
    this.controller = new DefaultDeviceController(logger, { enableWebAudio: false });
    this.controller.setDeviceLabelTrigger(labelTrigger);
  }

  async listDevices(): Promise<DeviceLists> {
    const [mics, cameras, speakers] = await Promise.all([
      this.controller.listAudioInputDevices(),
      this.controller.listVideoInputDevices(),
      this.controller.listAudioOutputDevices(),
    ]);
    const labelsVisible = [...mics, ...cameras].some((d) => d.label !== '');
    return {
      audioInputs: toOptions(mics, 'Microphone'),
      videoInputs: toOptions(cameras, 'Camera'),
      audioOutputs: toOptions(speakers, 'Speaker'),
      labelsVisible,
    };
  }

  /** Starts the camera and shows it in `preview`; returns a problem to show, or null. */
  async startCamera(deviceId: string, preview: HTMLVideoElement): Promise<MediaProblem | null> {
    try {
      await this.controller.startVideoInput(deviceId);
      this.controller.startVideoPreviewForVideoInput(preview);
      return null;
    } catch (error) {
      return describeMediaError(error, 'camera');
    }
  }

  detachPreview(preview: HTMLVideoElement): void {
    this.controller.stopVideoPreviewForVideoInput(preview);
  }

  async stopCamera(preview: HTMLVideoElement | null): Promise<void> {
    if (preview) this.controller.stopVideoPreviewForVideoInput(preview);
    await this.controller.stopVideoInput();
  }

  /** Starts the microphone and reports its level (0..1) about 20 times a second. */
  async startMicrophone(deviceId: string, onLevel: (level: number) => void): Promise<MediaProblem | null> {
    this.stopMeter();
    try {
      await this.controller.startAudioInput(deviceId);
    } catch (error) {
      return describeMediaError(error, 'microphone');
    }
    const analyser = this.controller.createAnalyserNodeForAudioInput();
    if (!analyser) return null;
    const samples = new Uint8Array(analyser.fftSize);
    const timer = window.setInterval(() => {
      analyser.getByteTimeDomainData(samples);
      onLevel(levelFromTimeDomain(samples));
    }, 50);
    this.meterStop = () => {
      window.clearInterval(timer);
      analyser.removeOriginalInputs?.();
      analyser.disconnect();
    };
    return null;
  }

  stopMeter(): void {
    this.meterStop?.();
    this.meterStop = null;
  }

  async stopMicrophone(): Promise<void> {
    this.stopMeter();
    await this.controller.stopAudioInput();
  }

  /** Plays a short two-tone chime on the chosen speaker. */
  async playTestSound(outputDeviceId: string | null): Promise<void> {
    const context = new AudioContext();
    const destination = context.createMediaStreamDestination();
    const gain = context.createGain();
    gain.connect(destination);
    const start = context.currentTime + 0.05;
    gain.gain.setValueAtTime(0, start);
    [523.25, 659.25].forEach((frequency, i) => {
      const t = start + i * 0.35;
      const osc = context.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(gain);
      gain.gain.setTargetAtTime(0.3, t, 0.02);
      gain.gain.setTargetAtTime(0, t + 0.25, 0.05);
      osc.start(t);
      osc.stop(t + 0.4);
    });
    const audio = new Audio();
    audio.srcObject = destination.stream;
    const sinkable = audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
    if (outputDeviceId && sinkable.setSinkId) {
      try {
        await sinkable.setSinkId(outputDeviceId);
      } catch {
        // Default speaker.
      }
    }
    try {
      await audio.play();
      await new Promise((resolve) => window.setTimeout(resolve, 1000));
    } finally {
      audio.pause();
      audio.srcObject = null;
      await context.close();
    }
  }
}
