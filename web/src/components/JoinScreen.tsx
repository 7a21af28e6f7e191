import { useRef, useState } from 'react';

import type { DeviceCheckApi } from '../meeting/DeviceManager';
import { kMaxNameLength, kMaxRoomIdLength, nameProblem, newRoomId, roomIdProblem, shareLink } from '../meeting/roomId';
import { DeviceCheck, type DeviceChoice } from './DeviceCheck';

export interface JoinRequest {
  name: string;
  roomId: string;
  choice: DeviceChoice;
  preview: HTMLVideoElement | null;
}

interface Props {
  initialRoomId: string;
  initialName?: string;
  /** Why the last call ended or the last join failed. */
  message: string | null;
  devices: DeviceCheckApi;
  origin: string;
  onJoin: (request: JoinRequest) => Promise<string | null>;
  /** For tests: the random source behind "New room". */
  makeRoomId?: () => string;
}

export function JoinScreen({ initialRoomId, initialName = '', message, devices, origin, onJoin, makeRoomId = newRoomId }: Props) {
  const [name, setName] = useState(initialName);
  const [roomId, setRoomId] = useState(initialRoomId);
  const [link, setLink] = useState<string | null>(initialRoomId ? shareLink(origin, initialRoomId) : null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(message);
  const [busy, setBusy] = useState(false);
  const [choice, setChoice] = useState<DeviceChoice>({
    videoOn: true,
    muted: false,
    audioInputId: null,
    videoInputId: null,
    audioOutputId: null,
  });
  const previewRef = useRef<HTMLVideoElement | null>(null);

  const createRoom = () => {
    const id = makeRoomId();
    setRoomId(id);
    setLink(shareLink(origin, id));
    setCopied(false);
  };

  const copyLink = async () => {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const problem = nameProblem(name) ?? roomIdProblem(roomId);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    const failure = await onJoin({ name: name.trim(), roomId: roomId.trim(), choice, preview: previewRef.current });
    if (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main className="join">
      <header className="brand">
        <h1>MediCall</h1>
        <p>Secure video consultations</p>
      </header>
      <div className="join-body">
        <form className="join-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="join-title">
          <h2 id="join-title">Join a consultation</h2>
          <div className="field">
            <label htmlFor="join-name">Name</label>
            <input
              id="join-name"
              name="name"
              autoComplete="name"
              maxLength={kMaxNameLength}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="join-room">Room ID</label>
            <div className="room-row">
              <input
                id="join-room"
                name="roomId"
                autoComplete="off"
                spellCheck={false}
                maxLength={kMaxRoomIdLength}
                value={roomId}
                onChange={(e) => {
                  setRoomId(e.target.value);
                  setLink(null);
                }}
              />
              <button type="button" className="secondary" onClick={createRoom}>
                New room
              </button>
            </div>
          </div>
          {link && (
            <div className="share">
              <label htmlFor="share-link">Link to share</label>
              <div className="room-row">
                <input id="share-link" readOnly value={link} onFocus={(e) => e.target.select()} />
                <button type="button" className="secondary" onClick={() => void copyLink()}>
                  {copied ? 'Copied' : 'Copy link'}
                </button>
              </div>
            </div>
          )}
          {error && (
            <p className="problem" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Joining…' : 'Join'}
          </button>
        </form>
        <DeviceCheck devices={devices} choice={choice} onChange={setChoice} previewRef={previewRef} />
      </div>
    </main>
  );
}
