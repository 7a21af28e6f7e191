// Active speaker from the SDK's volume indicators (volume 0..1 per attendee).
// The loudest attendee above a threshold wins; a speaker keeps the highlight through short pauses.

export const kSpeakingThreshold = 0.2;
export const kHoldMs = 1500;

interface Level {
  volume: number;
  lastLoudMs: number;
}

export class ActiveSpeakerTracker {
  private readonly levels = new Map<string, Level>();
  private current: string | null = null;

  constructor(
    private readonly threshold = kSpeakingThreshold,
    private readonly holdMs = kHoldMs,
  ) {}

  /** Feeds one volume indicator update; returns the active speaker after it. */
  update(attendeeId: string, volume: number | null, muted: boolean | null, nowMs: number): string | null {
    const level = this.levels.get(attendeeId) ?? { volume: 0, lastLoudMs: -Infinity };
    if (muted === true) level.volume = 0;
    else if (volume !== null) level.volume = volume;
    if (level.volume >= this.threshold) level.lastLoudMs = nowMs;
    this.levels.set(attendeeId, level);
    return this.evaluate(nowMs);
  }

  remove(attendeeId: string, nowMs: number): string | null {
    this.levels.delete(attendeeId);
    if (this.current === attendeeId) this.current = null;
    return this.evaluate(nowMs);
  }

  evaluate(nowMs: number): string | null {
    let loudest: string | null = null;
    let loudestVolume = this.threshold;
    for (const [id, level] of this.levels) {
      if (level.volume >= loudestVolume && (loudest === null || level.volume > loudestVolume)) {
        loudest = id;
        loudestVolume = level.volume;
      }
    }
    if (loudest !== null) {
      this.current = loudest;
    } else if (this.current !== null) {
      const held = this.levels.get(this.current);
      if (!held || nowMs - held.lastLoudMs > this.holdMs) this.current = null;
    }
    return this.current;
  }

  get activeSpeaker(): string | null {
    return this.current;
  }
}
