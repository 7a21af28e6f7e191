import { describe, expect, it } from 'vitest';

import { readFeatures } from './features';

describe('readFeatures', () => {
  it('keeps screen sharing off unless the build or the URL turns it on', () => {
    expect(readFeatures({}, '').contentShare).toBe(false);
    expect(readFeatures({ VITE_FEATURE_CONTENT_SHARE: 'true' }, '').contentShare).toBe(true);
    expect(readFeatures({}, '?contentShare=1').contentShare).toBe(true);
    expect(readFeatures({ VITE_FEATURE_CONTENT_SHARE: 'true' }, '?contentShare=0').contentShare).toBe(false);
  });
});
