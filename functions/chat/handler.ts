/**
 * The chat Lambda: a Function URL in RESPONSE_STREAM mode serving `/v1/chat/completions` and `/v1/models`
 * (DESIGN.md §1, §5). Thin: the event becomes a request, the response stream a sink, and lib/gateway does the rest.
 */
import type { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { account } from '../../lib/gateway/account.js';
import { callSettingsFromEnv } from '../../lib/gateway/call.js';
import { type ChatDeps, handleGatewayRequest } from '../../lib/gateway/chat.js';
import { defaultsFromEnv } from '../../lib/gateway/defaults.js';
import { toHttpRequest } from '../../lib/gateway/event.js';
import { enforceKeyLimits } from '../../lib/gateway/limits.js';
import { storesFromEnv } from '../../lib/storage/index.js';
import { UsageStore } from '../../lib/usage/store.js';
import { lambdaRuntime } from '../shared/lambda-runtime.js';
import { streamSink } from './sink.js';

function chatDeps(): ChatDeps {
  const stores = storesFromEnv();
  const ttlDays = Number(process.env.USAGE_TTL_DAYS);
  const usage = new UsageStore(stores.dynamodb, stores.tables, Number.isFinite(ttlDays) ? ttlDays : undefined);
  return {
    stores,
    // The environment's defaults, overridden in AWS by the `<prefix>/defaults` secret (empty locally).
    defaults: async () => ({ ...defaultsFromEnv(process.env), ...(await stores.defaultCredentials()) }),
    settings: callSettingsFromEnv(),
    enforceLimits: (key, at) => enforceKeyLimits(key, usage, at),
    account: (outcome) => account(outcome, stores, usage),
  };
}

async function serve(event: APIGatewayProxyEventV2, responseStream: Writable): Promise<void> {
  await handleGatewayRequest(toHttpRequest(event), streamSink(responseStream), chatDeps());
}

const lambda = lambdaRuntime();
if (!lambda) throw new Error('awslambda is not installed: off Lambda, load local/lambda-shim.ts before this handler');

export const handler = lambda.streamifyResponse(serve);
