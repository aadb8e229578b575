/**
 * The dashboard page (CONTRACT.md §7) as one HTTP answer: `index.html` with `dashboard.css` and `dashboard.js`
 * put in its placeholders, so the browser loads a single self-contained page (no CDN, nothing to build), and a
 * Content-Security-Policy that allows exactly that inline style and script, by hash, and requests to its own origin.
 * Served by the local server at `/dashboard` and by `npm run dashboard`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const DASHBOARD_PATH = '/dashboard';

export interface DashboardPage {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * How the page's admin calls are authorised: `token`, the admin token it asks for (the local server); `sigv4`, by
 * the `npm run dashboard` proxy, which signs each call with the caller's AWS credentials.
 */
export type AdminAuth = 'token' | 'sigv4';

const pages = new Map<AdminAuth, DashboardPage>();

/** The page, read from disk once per process and kind of admin auth. */
export function dashboardPage(adminAuth: AdminAuth = 'token'): DashboardPage {
  const cached = pages.get(adminAuth);
  if (cached) return cached;
  const css = read('./dashboard.css');
  const script = read('./dashboard.js');
  const body = read('./index.html')
    .replace('<meta name="admin-auth" content="token">', `<meta name="admin-auth" content="${adminAuth}">`)
    .replace('<style>/* dashboard.css */</style>', () => `<style>${css}</style>`)
    .replace('<script>/* dashboard.js */</script>', () => `<script>${script}</script>`);
  const policy = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    // The legend's swatches and the budget gauges are styled through the CSSOM, which style-src does not govern.
    `style-src ${sha256(css)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const page: DashboardPage = {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': policy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body,
  };
  pages.set(adminAuth, page);
  return page;
}

/** True for `/dashboard` and `/dashboard/`. */
export function isDashboardPath(path: string): boolean {
  return path === DASHBOARD_PATH || path === `${DASHBOARD_PATH}/`;
}
