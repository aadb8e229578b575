/**
 * The chat Lambda: a Function URL in RESPONSE_STREAM mode serving `/v1/chat/completions` and `/v1/models`
 * (DESIGN.md §1, §5). Thin: the event becomes a request, the response stream a sink, and lib/gateway does the rest.
 * Usage rows are put one per request (the table's stream derives the counters) and spooled to SQS when the table
 * does not answer (CONTRACT.md §4).
 */
import type { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { callSettingsFromEnv } from '../../lib/gateway/call.js';
import { defaultsFromEnv } from '../../lib/gateway/defaults.js';
import { toHttpRequest } from '../../lib/gateway/event.js';
import { log } from '../../lib/gateway/log.js';
import { handleGatewayRequest } from '../../lib/gateway/pipeline.js';
import { type StoreBundle, storesFromEnv } from '../../lib/storage/index.js';
import { BudgetLedger } from '../../lib/usage/budget.js';
import { DirectRecorder } from '../../lib/usage/direct-recorder.js';
import type { Metering } from '../../lib/usage/recorder.js';
import { sqsRowSpoolFromEnv } from '../../lib/usage/sqs-spool.js';
import { UsageStore } from '../../lib/usage/store.js';
import { lambdaRuntime } from '../shared/lambda-runtime.js';
import { streamSink } from './sink.js';

const meterings = new WeakMap<StoreBundle, Metering>();

/** One metering per store bundle: clients and the spool live across invocations of a warm instance. */
function meteringFor(stores: StoreBundle): Metering {
  let metering = meterings.get(stores);
  if (!metering) {
    const ttlDays = Number(process.env.USAGE_TTL_DAYS);
    const usage = new UsageStore(stores.dynamodb, stores.tables, Number.isFinite(ttlDays) ? ttlDays : undefined);
    metering = {
      usage,
      recorder: new DirectRecorder(usage, sqsRowSpoolFromEnv(), log),
      budgets: new BudgetLedger(stores.dynamodb, stores.tables.usageDaily),
    };
    meterings.set(stores, metering);
  }
  return metering;
}

async function serve(event: APIGatewayProxyEventV2, responseStream: Writable): Promise<void> {
  const stores = storesFromEnv();
  await handleGatewayRequest(toHttpRequest(event), streamSink(responseStream), {
    stores,
    // The environment's defaults, overridden in AWS by the `<prefix>/defaults` secret (empty locally).
    defaults: async () => ({ ...defaultsFromEnv(process.env), ...(await stores.defaultCredentials()) }),
    settings: callSettingsFromEnv(),
    metering: meteringFor(stores),
  });
}

const lambda = lambdaRuntime();
if (!lambda)
  throw new Error(
    'awslambda is not installed: off Lambda, install a stand-in (bench/lambda-shim.ts) before this handler',
  );

export const handler = lambda.streamifyResponse(serve);
