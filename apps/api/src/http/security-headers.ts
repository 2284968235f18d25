import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { ApiEnv } from '../env.ts';

/**
 * HTTP security headers for the admin and the API (ASVS 5 V3.4, issue 6), through @fastify/helmet.
 *
 * The Content-Security-Policy allows only this origin. Scripts: 'self' only (Vite's build loads
 * one module file and inlines no script). Styles also allow 'unsafe-inline', because the
 * server-rendered public pages (unsubscribe, preference center, privacy request) carry a
 * <style> block and style attributes; the admin itself needs none of it (React, React Flow and
 * recharts set styles through the DOM, which CSP does not restrict). A style cannot run code,
 * so the remaining risk is CSS-based page defacement. Mail previews render in sandboxed srcdoc
 * iframes, which inherit this policy: their remote images stay blocked, which is also what the
 * reader's privacy wants.
 */
export function securityHeaders(env: ApiEnv): FastifyHelmetOptions {
  const isHttps = env.PUBLIC_URL.startsWith('https://');
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(isHttps ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // Referrers would carry unsubscribe and preference tokens out of the URL.
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    // Only where the installation is served over TLS: on plain http the header means nothing,
    // and on localhost it would pin the developer's browser to https.
    strictTransportSecurity: isHttps ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    // Left off: mail clients on other origins load the open-tracking pixel (issue 4).
    crossOriginResourcePolicy: false,
  };
}
