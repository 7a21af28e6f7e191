import { Camera, Microphone, VideoTile } from 'amazon-chime-sdk-component-library-react';
import { useEffect, useRef } from 'react';

import type { VideoFit } from '../meeting/contentShare';

export interface TileBinder {
  bindVideo(tileId: number, element: HTMLVideoElement): void;
  unbindVideo(tileId: number): void;
}

/** Binds a tile's <video> to the SDK while mounted. */
function useBoundVideo(binder: TileBinder, tileId: number | null) {
  const ref = useRef<HTMLVideoElement | null>(null);
  useEffect(() => {
    const element = ref.current;
    if (tileId === null || !element) return;
    binder.bindVideo(tileId, element);
    return () => binder.unbindVideo(tileId);
  }, [binder, tileId]);
  return ref;
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0]![0]! + parts[parts.length - 1]![0]! : (parts[0] ?? '?').slice(0, 2);
  return letters.toUpperCase();
}

export interface RemoteTileProps {
  binder: TileBinder;
  attendeeId: string;
  name: string;
  tileId: number | null;
  paused: boolean;
  muted: boolean;
  speaking: boolean;
  /** "contain" shows the whole frame (the main videos by default); thumbnails fill ("cover"). */
  fit?: VideoFit;
}

/** One remote participant: video when they send it, their initials otherwise. Labelled with their name. */
export function RemoteTile({ binder, attendeeId, name, tileId, paused, muted, speaking, fit = 'cover' }: RemoteTileProps) {
  const videoRef = useBoundVideo(binder, tileId);
  const showVideo = tileId !== null && !paused;
  return (
    <div
      className={`tile${speaking ? ' speaking' : ''}`}
      role="group"
      aria-label={name}
      data-attendee-id={attendeeId}
      data-fit={fit}
      data-tile-id={tileId ?? undefined}
      data-speaking={speaking ? 'true' : 'false'}
    >
      {tileId !== null ? (
        <VideoTile ref={videoRef} nameplate={name} objectFit={fit} className={showVideo ? '' : 'hidden-video'} />
      ) : null}
      {!showVideo && (
        <div className="avatar" aria-hidden="true">
          {initials(name)}
        </div>
      )}
      <TileBadges name={name} muted={muted} videoOn={showVideo} speaking={speaking} />
    </div>
  );
}

function TileBadges({ name, muted, videoOn, speaking }: { name: string; muted: boolean; videoOn: boolean; speaking: boolean }) {
  return (
    <>
      {!videoOn && <span className="tile-name">{name}</span>}
      {/* Top right: at the bottom right the self view would cover a remote tile's mute badge. */}
      <div className="tile-badges">
        {speaking && <span className="visually-hidden">speaking</span>}
        <span className={`badge${muted ? ' badge-alert' : ''}`} title={muted ? 'Muted' : 'Microphone on'}>
          <Microphone width="1.25rem" muted={muted} />
          <span className="visually-hidden">{muted ? 'Muted' : 'Microphone on'}</span>
        </span>
        {!videoOn && (
          <span className="badge" title="Camera off">
            <Camera width="1.25rem" disabled />
            <span className="visually-hidden">Camera off</span>
          </span>
        )}
      </div>
    </>
  );
}

export interface SelfViewProps {
  binder: TileBinder;
  tileId: number | null;
  name: string;
  videoOn: boolean;
  muted: boolean;
  speaking: boolean;
}

export function SelfView({ binder, tileId, name, videoOn, muted, speaking }: SelfViewProps) {
  const videoRef = useBoundVideo(binder, videoOn ? tileId : null);
  const showVideo = videoOn && tileId !== null;
  return (
    <div className={`tile self-view${speaking ? ' speaking' : ''}`} role="group" aria-label="Your video" data-self="true">
      {showVideo ? <VideoTile ref={videoRef} nameplate="You" objectFit="cover" className="mirrored" /> : (
        <div className="avatar" aria-hidden="true">
          {initials(name)}
        </div>
      )}
      <TileBadges name="You" muted={muted} videoOn={showVideo} speaking={speaking} />
    </div>
  );
}

export interface ContentViewProps {
  binder: TileBinder;
  tileId: number;
  /** The content attendee ("<owner>#content"). */
  attendeeId: string;
  /** "Alice is sharing" / "You are sharing your screen". */
  label: string;
  fit: VideoFit;
}

/** A shared screen, shown large; letterboxed by default so nothing on it is cut off. */
export function ContentView({ binder, tileId, attendeeId, label, fit }: ContentViewProps) {
  const videoRef = useBoundVideo(binder, tileId);
  return (
    <div className="tile content-view" role="group" aria-label={label} data-attendee-id={attendeeId} data-tile-id={tileId} data-fit={fit}>
      <VideoTile ref={videoRef} objectFit={fit} />
    </div>
  );
}

/** The fit/fill toggle of the main videos: pressed = fill the box (edges cropped). */
export function FitToggle({ fit, onToggle }: { fit: VideoFit; onToggle: () => void }) {
  return (
    <button type="button" className="fit-toggle" aria-pressed={fit === 'cover'} onClick={onToggle}
      title={fit === 'cover' ? 'Show the whole picture' : 'Fill the frame (edges are cropped)'}>
      Fill
    </button>
  );
}
