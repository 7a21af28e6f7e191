import { useCallback, useEffect, useRef, useState } from 'react';

import type { DeviceCheckApi, DeviceLists } from '../meeting/DeviceManager';
import { fetchClientConfig, insecureContextProblem } from '../meeting/secureContext';

export interface DeviceChoice {
  videoOn: boolean;
  muted: boolean;
  audioInputId: string | null;
  videoInputId: string | null;
  audioOutputId: string | null;
}

interface Props {
  devices: DeviceCheckApi;
  choice: DeviceChoice;
  onChange: (choice: DeviceChoice) => void;
  /** The preview element, so the join screen can detach it when the call starts. */
  previewRef: React.RefObject<HTMLVideoElement | null>;
}

const kNoDevices: DeviceLists = { audioInputs: [], videoInputs: [], audioOutputs: [], labelsVisible: false };

/** Camera preview, microphone level meter and speaker test before joining. */
export function DeviceCheck({ devices, choice, onChange, previewRef }: Props) {
  const [lists, setLists] = useState<DeviceLists | null>(null);
  const [cameraProblem, setCameraProblem] = useState<string | null>(null);
  const [micProblem, setMicProblem] = useState<string | null>(null);
  const [level, setLevel] = useState(0);
  const [testing, setTesting] = useState(false);
  const [speakerNote, setSpeakerNote] = useState<string | null>(null);
  const choiceRef = useRef(choice);
  choiceRef.current = choice;

  useEffect(() => {
    let cancelled = false;
    if (window.isSecureContext === false) {
      // No camera API at all on an insecure page: say why, with the HTTPS address if the server has one.
      setLists(kNoDevices);
      setCameraProblem(insecureContextProblem({ isSecureContext: false, href: window.location.href }, null));
      void fetchClientConfig().then((config) => {
        if (!cancelled) setCameraProblem(insecureContextProblem({ isSecureContext: false, href: window.location.href }, config));
      });
      onChange({ ...choiceRef.current, videoOn: false });
      return () => {
        cancelled = true;
      };
    }
    devices
      .listDevices()
      .then((found) => {
        if (cancelled) return;
        setLists(found);
        const current = choiceRef.current;
        onChange({
          ...current,
          audioInputId: current.audioInputId ?? found.audioInputs[0]?.deviceId ?? null,
          videoInputId: current.videoInputId ?? found.videoInputs[0]?.deviceId ?? null,
          audioOutputId: current.audioOutputId ?? found.audioOutputs[0]?.deviceId ?? null,
          videoOn: current.videoOn && found.videoInputs.length > 0,
        });
        if (found.videoInputs.length === 0) setCameraProblem('No camera found. Connect one, or join with audio only.');
        if (found.audioInputs.length === 0) {
          setMicProblem('No microphone found. Connect a headset or microphone so others can hear you.');
        }
      })
      .catch(() => {
        if (cancelled) return;
        setLists(kNoDevices);
        setCameraProblem('This browser cannot use a camera or microphone here. Try a current Chrome, Edge, Firefox or Safari.');
      });
    return () => {
      cancelled = true;
    };
    // Run once: device lists are read when the join screen opens.
  }, [devices]);

  // Camera preview follows the chosen camera and the camera switch.
  useEffect(() => {
    const preview = previewRef.current;
    if (!lists || !preview) return;
    if (!choice.videoOn || !choice.videoInputId) {
      void devices.stopCamera(preview);
      return;
    }
    let cancelled = false;
    void devices.startCamera(choice.videoInputId, preview).then((problem) => {
      if (cancelled) return;
      setCameraProblem(problem?.message ?? null);
      if (problem) onChange({ ...choiceRef.current, videoOn: false });
    });
    return () => {
      cancelled = true;
    };
  }, [devices, lists, choice.videoOn, choice.videoInputId]);

  // Microphone level meter follows the chosen microphone.
  useEffect(() => {
    if (!lists || !choice.audioInputId) return;
    let cancelled = false;
    void devices.startMicrophone(choice.audioInputId, (l) => !cancelled && setLevel(l)).then((problem) => {
      if (!cancelled) setMicProblem(problem?.message ?? null);
    });
    return () => {
      cancelled = true;
      devices.stopMeter();
      setLevel(0);
    };
  }, [devices, lists, choice.audioInputId]);

  const testSpeaker = useCallback(async () => {
    setTesting(true);
    setSpeakerNote(null);
    try {
      await devices.playTestSound(choice.audioOutputId);
      setSpeakerNote('Did you hear a chime? If not, check the volume or pick another speaker.');
    } catch {
      setSpeakerNote('The test sound could not play. Check your speaker or headphones.');
    } finally {
      setTesting(false);
    }
  }, [devices, choice.audioOutputId]);

  const percent = Math.round(level * 100);

  return (
    <section className="device-check" aria-labelledby="device-check-title">
      <h2 id="device-check-title">Check your camera and sound</h2>
      <div className="preview">
        <video ref={previewRef} className="preview-video" aria-label="Camera preview" muted playsInline autoPlay />
        {!choice.videoOn && <div className="preview-off">Camera off</div>}
      </div>
      {cameraProblem && (
        <p className="problem" role="alert">
          {cameraProblem}
        </p>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={choice.videoOn}
          disabled={!lists || lists.videoInputs.length === 0}
          onChange={(e) => onChange({ ...choice, videoOn: e.target.checked })}
        />
        Join with camera on
      </label>
      <label className="check">
        <input type="checkbox" checked={choice.muted} onChange={(e) => onChange({ ...choice, muted: e.target.checked })} />
        Join muted
      </label>
      <DeviceSelect
        label="Camera"
        options={lists?.videoInputs ?? []}
        value={choice.videoInputId}
        onSelect={(id) => onChange({ ...choice, videoInputId: id })}
      />
      <DeviceSelect
        label="Microphone"
        options={lists?.audioInputs ?? []}
        value={choice.audioInputId}
        onSelect={(id) => onChange({ ...choice, audioInputId: id })}
      />
      <div className="meter-row">
        <span id="mic-level-label">Microphone level</span>
        <div
          className="meter"
          role="meter"
          aria-labelledby="mic-level-label"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        >
          <div className="meter-fill" style={{ width: `${percent}%` }} />
        </div>
      </div>
      {micProblem && (
        <p className="problem" role="alert">
          {micProblem}
        </p>
      )}
      {lists && lists.audioOutputs.length > 0 && (
        <DeviceSelect
          label="Speaker"
          options={lists.audioOutputs}
          value={choice.audioOutputId}
          onSelect={(id) => onChange({ ...choice, audioOutputId: id })}
        />
      )}
      <button type="button" className="secondary" onClick={() => void testSpeaker()} disabled={testing}>
        {testing ? 'Playing…' : 'Test speaker'}
      </button>
      {speakerNote && <p className="hint" role="status">{speakerNote}</p>}
    </section>
  );
}

interface SelectProps {
  label: string;
  options: { deviceId: string; label: string }[];
  value: string | null;
  onSelect: (deviceId: string) => void;
}

export function DeviceSelect({ label, options, value, onSelect }: SelectProps) {
  const id = `device-${label.toLowerCase().replace(/\s+/g, '-')}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} disabled={options.length === 0} onChange={(e) => onSelect(e.target.value)}>
        {options.length === 0 && <option value="">None found</option>}
        {options.map((o) => (
          <option key={o.deviceId} value={o.deviceId}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
