// Feature flags, fixed at build time (VITE_* variables) or overridden in the URL for testing.

export interface Features {
  /** Screen sharing (content share, attendee "<id>#content"): on unless VITE_FEATURE_CONTENT_SHARE=false or ?contentShare=0. */
  contentShare: boolean;
}

export function readFeatures(env: Record<string, string | boolean | undefined>, search: string): Features {
  const params = new URLSearchParams(search);
  const flag = (envName: string, param: string): boolean =>
    params.has(param) ? params.get(param) === '1' : env[envName] !== 'false' && env[envName] !== false;
  return { contentShare: flag('VITE_FEATURE_CONTENT_SHARE', 'contentShare') };
}
