// Browsers give the camera and microphone only to secure pages (HTTPS, or http://localhost). On a
// plain-HTTP page from another device navigator.mediaDevices is missing, which would otherwise read
// as "no camera found" to a person whose camera works. This module names the real reason.

export interface PageContext {
  isSecureContext: boolean;
  /** The page's own address (location.href). */
  href: string;
}

/** The server's client settings (GET /api/client-config). */
export interface ClientConfig {
  /** The HTTPS address of this server, when it has one (TLS on, or MEDICALL_PUBLIC_URL). */
  secureUrl: string | null;
}

/** The HTTPS address to send a person to, keeping the path and query (the room link). */
export function secureAddressFor(page: PageContext, config: ClientConfig | null): string | null {
  if (!config?.secureUrl) return null;
  try {
    const base = new URL(config.secureUrl);
    if (base.protocol !== 'https:') return null;
    const here = new URL(page.href);
    return new URL(here.pathname + here.search, base).toString();
  } catch {
    return null;
  }
}

/** A message for a page that cannot use media, or null when it can. */
export function insecureContextProblem(page: PageContext, config: ClientConfig | null): string | null {
  if (page.isSecureContext) return null;
  const secure = secureAddressFor(page, config);
  return secure
    ? `Open this page over HTTPS to use your camera and microphone: ${secure}`
    : 'Open this page over HTTPS to use your camera and microphone. Browsers allow them only on secure (https://) pages.';
}

/** Reads GET /api/client-config; null when the server does not answer it. */
export async function fetchClientConfig(fetchFn: typeof fetch = fetch): Promise<ClientConfig | null> {
  try {
    const r = await fetchFn('/api/client-config');
    if (!r.ok) return null;
    const body = (await r.json()) as Partial<ClientConfig>;
    return { secureUrl: typeof body.secureUrl === 'string' ? body.secureUrl : null };
  } catch {
    return null;
  }
}
