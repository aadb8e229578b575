/**
 * The admin API (CONTRACT.md §3): one function from a host-neutral request to a response, used by the admin
 * Lambda and by the local server alike.
 */
import { notFound } from '../core/errors.js';
import { requireAdminToken } from './auth.js';
import { type AdminDeps, type AdminRequest, type AdminResponse, errorResponse, methodNotAllowed } from './http.js';
import { matchRoute } from './routes.js';

export type { AdminDeps, AdminRequest, AdminResponse } from './http.js';
export { type Route, routes } from './routes.js';

export async function handleAdmin(req: AdminRequest, deps: AdminDeps): Promise<AdminResponse> {
  try {
    // Before routing, so that without the token not even the set of paths can be probed.
    if (deps.adminToken !== undefined) requireAdminToken(req.headers, deps.adminToken);
    const match = matchRoute(req.method, req.path);
    if (match.kind === 'none') throw notFound(`Unknown admin path ${req.method.toUpperCase()} ${req.path}.`);
    if (match.kind === 'wrong-method') {
      return errorResponse(methodNotAllowed(req.method.toUpperCase(), match.allowed), {
        allow: match.allowed.join(', '),
      });
    }
    return await match.route.handler({ req, params: match.params, stores: deps.stores });
  } catch (error) {
    return errorResponse(error, isUnauthorized(error) ? { 'www-authenticate': 'Bearer' } : {}, req);
  }
}

function isUnauthorized(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 401;
}
