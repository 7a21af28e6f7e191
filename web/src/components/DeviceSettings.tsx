import type { DeviceState } from '../meeting/MeetingController';
import { DeviceSelect } from './DeviceCheck';

interface Props {
  devices: DeviceState;
  onAudioInput: (id: string) => void;
  onVideoInput: (id: string) => void;
  onAudioOutput: (id: string) => void;
  onClose: () => void;
}

/** Switch microphone, camera and speaker during the call. */
export function DeviceSettings({ devices, onAudioInput, onVideoInput, onAudioOutput, onClose }: Props) {
  return (
    <aside className="panel" aria-labelledby="devices-title">
      <div className="panel-head">
        <h2 id="devices-title">Devices</h2>
        <button type="button" className="panel-close" aria-label="Close devices" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="panel-body">
        <DeviceSelect label="Microphone" options={devices.audioInputs} value={devices.audioInputId} onSelect={onAudioInput} />
        <DeviceSelect label="Camera" options={devices.videoInputs} value={devices.videoInputId} onSelect={onVideoInput} />
        {devices.audioOutputs.length > 0 && (
          <DeviceSelect label="Speaker" options={devices.audioOutputs} value={devices.audioOutputId} onSelect={onAudioOutput} />
        )}
      </div>
    </aside>
  );
}
