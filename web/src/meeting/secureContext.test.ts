import { describe, expect, it } from 'vitest';

import { fetchClientConfig, insecureContextProblem, secureAddressFor } from './secureContext';

describe('insecureContextProblem', () => {
  it('says nothing on a secure page', () => {
    expect(insecureContextProblem({ isSecureContext: true, href: 'https://clinic.example.org/' }, null)).toBeNull();
  });

  it('names HTTPS as the reason on a plain-HTTP page, not a missing camera', () => {
    const message = insecureContextProblem({ isSecureContext: false, href: 'http://192.168.1.20:3001/' }, null);
    expect(message).toMatch(/Open this page over HTTPS to use your camera and microphone/);
    expect(message).not.toMatch(/no camera/i);
  });

  it('gives the HTTPS address, keeping the room link', () => {
    const message = insecureContextProblem(
      { isSecureContext: false, href: 'http://192.168.1.20:3001/?room=abc' },
      { secureUrl: 'https://192.168.1.20:3443' },
    );
    expect(message).toContain('https://192.168.1.20:3443/?room=abc');
  });
});

describe('secureAddressFor', () => {
  it('ignores a non-HTTPS or malformed address', () => {
    const page = { isSecureContext: false, href: 'http://h/' };
    expect(secureAddressFor(page, { secureUrl: 'http://h:1' })).toBeNull();
    expect(secureAddressFor(page, { secureUrl: 'not a url' })).toBeNull();
    expect(secureAddressFor(page, { secureUrl: null })).toBeNull();
  });
});

describe('fetchClientConfig', () => {
  it('reads the secure URL and survives a server without the endpoint', async () => {
    const ok = (async () => new Response(JSON.stringify({ secureUrl: 'https://x' }))) as unknown as typeof fetch;
    expect(await fetchClientConfig(ok)).toEqual({ secureUrl: 'https://x' });
    const missing = (async () => new Response('', { status: 404 })) as unknown as typeof fetch;
    expect(await fetchClientConfig(missing)).toBeNull();
    const down = (async () => {
      throw new TypeError('network');
    }) as unknown as typeof fetch;
    expect(await fetchClientConfig(down)).toBeNull();
  });
});
