import type { KeyRecord } from '../storage/types.js';
import { estimateInputTokens, tokenCounterFor } from '../usage/estimate.js';
import { customProviderNames } from './credentials.js';
import type { GatewayDeps } from './deps.js';
import { type HttpRequest, type ResponseSink, sendJson } from './http.js';
import { parseCountTokensRequest } from './ingress/messages.js';
import { modelNotAllowed, resolveRoute, routeInScope } from './route.js';

/**
 * `POST /v1/messages/count_tokens` (CONTRACT.md §5): the request's input tokens as the gateway estimates them for
 * the routed model (`x-gateway-estimated: true`); no provider call, no usage row.
 */
export async function countTokens(
  req: HttpRequest,
  sink: ResponseSink,
  deps: GatewayDeps,
  key: KeyRecord,
  headers: Record<string, string>,
  at: Date,
): Promise<void> {
  const { request } = parseCountTokensRequest(req.body);
  const credentials = await deps.stores.credentials.get(key.project_id);
  const route = resolveRoute(request.model, customProviderNames(credentials), at, 'model');
  if (!routeInScope(key.models, route)) throw modelNotAllowed(route, 'model');
  const counter = await tokenCounterFor(route.provider, route.model);
  headers['x-gateway-estimated'] = 'true';
  headers['x-gateway-provider'] = route.provider;
  await sendJson(sink, 200, headers, { input_tokens: estimateInputTokens(request, counter) });
}
