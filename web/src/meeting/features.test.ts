import { describe, expect, it } from 'vitest';

import { readFeatures } from './features';

describe('readFeatures', () => {
  it('turns screen sharing on unless the build or the URL turns it off', () => {
    expect(readFeatures({}, '').contentShare).toBe(true);
    expect(readFeatures({ VITE_FEATURE_CONTENT_SHARE: 'false' }, '').contentShare).toBe(false);
    expect(readFeatures({ VITE_FEATURE_CONTENT_SHARE: 'false' }, '?contentShare=1').contentShare).toBe(true);
    expect(readFeatures({ VITE_FEATURE_CONTENT_SHARE: 'true' }, '').contentShare).toBe(true);
    expect(readFeatures({}, '?contentShare=1').contentShare).toBe(true);
    expect(readFeatures({ VITE_FEATURE_CONTENT_SHARE: 'true' }, '?contentShare=0').contentShare).toBe(false);
  });
});
