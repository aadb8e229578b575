/** The admin routes as data: method + path pattern → handler (CONTRACT.md §3). */
import type { Stores } from '../storage/types.js';
import type { AdminRequest, AdminResponse } from './http.js';
import { createKey, listKeys, revokeKey, updateKey } from './keys.js';
import { getLatency } from './latency.js';
import { listCatalogModels } from './models.js';
import { createProject, getProject, listProjects } from './projects.js';
import { deleteProvider, listProviders, putProvider } from './providers.js';
import { listRequests } from './requests.js';
import { getDailyUsage, getUsage } from './usage.js';

export interface RouteContext {
  req: AdminRequest;
  /** Decoded path parameters by name (`project`, `key_id`, `provider`). */
  params: Record<string, string>;
  stores: Stores;
}

export type RouteHandler = (ctx: RouteContext) => Promise<AdminResponse>;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Segments; `:name` captures one segment. */
  pattern: string;
  handler: RouteHandler;
}

export const routes: readonly Route[] = [
  { method: 'POST', pattern: '/admin/projects', handler: createProject },
  { method: 'GET', pattern: '/admin/projects', handler: listProjects },
  { method: 'GET', pattern: '/admin/projects/:project', handler: getProject },
  { method: 'POST', pattern: '/admin/projects/:project/keys', handler: createKey },
  { method: 'GET', pattern: '/admin/projects/:project/keys', handler: listKeys },
  { method: 'PATCH', pattern: '/admin/projects/:project/keys/:key_id', handler: updateKey },
  { method: 'DELETE', pattern: '/admin/projects/:project/keys/:key_id', handler: revokeKey },
  { method: 'GET', pattern: '/admin/projects/:project/providers', handler: listProviders },
  { method: 'PUT', pattern: '/admin/projects/:project/providers/:provider', handler: putProvider },
  { method: 'DELETE', pattern: '/admin/projects/:project/providers/:provider', handler: deleteProvider },
  { method: 'GET', pattern: '/admin/projects/:project/usage', handler: getUsage },
  { method: 'GET', pattern: '/admin/projects/:project/usage/daily', handler: getDailyUsage },
  { method: 'GET', pattern: '/admin/projects/:project/latency', handler: getLatency },
  { method: 'GET', pattern: '/admin/projects/:project/requests', handler: listRequests },
  { method: 'GET', pattern: '/admin/models', handler: listCatalogModels },
];

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'none' };

function splitPath(path: string): string[] | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  try {
    return trimmed.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

function matchPattern(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/** The route for a request; a path that exists under another method is told apart from an unknown path. */
export function matchRoute(method: string, path: string, table: readonly Route[] = routes): RouteMatch {
  const segments = splitPath(path);
  if (!segments) return { kind: 'none' };
  const allowed: string[] = [];
  for (const route of table) {
    const params = matchPattern(route.pattern, segments);
    if (!params) continue;
    if (route.method === method.toUpperCase()) return { kind: 'found', route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'none' };
}
