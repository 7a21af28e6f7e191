// Feature flags, fixed at build time (VITE_* variables) or overridden in the URL for testing.

export interface Features {
  /** Screen sharing: off until the server supports content share (attendee "<id>#content"). */
  contentShare: boolean;
}

export function readFeatures(env: Record<string, string | boolean | undefined>, search: string): Features {
  const params = new URLSearchParams(search);
  const flag = (envName: string, param: string): boolean =>
    params.has(param) ? params.get(param) === '1' : env[envName] === 'true' || env[envName] === true;
  return { contentShare: flag('VITE_FEATURE_CONTENT_SHARE', 'contentShare') };
}
