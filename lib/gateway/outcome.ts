import type { CatalogEntry, PricePeriod } from '../catalog.js';
import type { FinishReason, Usage } from '../core/types.js';
import type { KeyRecord } from '../storage/types.js';
import type { ProviderSpan } from '../tracing/index.js';
import type { UsageEndpoint } from '../usage/store.js';
import type { RequestBudget } from './budget.js';

/**
 * What one authenticated request did, gathered as the pipeline runs and handed to accounting (step 7) once the
 * response has ended: the usage row and daily counters are written from it.
 */
export interface RequestOutcome {
  requestId: string;
  at: Date;
  projectId?: string;
  keyId?: string;
  key?: KeyRecord;
  /** The model as the caller wrote it (or the fallback that answered). */
  model?: string;
  provider?: string;
  providerModel?: string;
  catalogEntry?: CatalogEntry;
  /** The price of the model that answered (or was tried last); undefined when unknown. */
  price?: PricePeriod;
  stream: boolean;
  /** The HTTP status, the error's status for a stream that failed after it started, or 499 for a client that left. */
  status: number;
  errorCode?: string | null;
  usage?: Usage;
  /** True when `usage` is the gateway's estimate (a stream that ended before the provider reported usage). */
  usageEstimated?: boolean;
  /** Which API the request came through; `chat` when unset. */
  endpoint?: UsageEndpoint;
  finishReason?: FinishReason | null;
  /** A budgeted key's reservation for this request (lib/gateway/budget.ts), settled by accounting. */
  budget?: RequestBudget;
  latencyMs: number;
  ttftMs?: number;
  /**
   * The X-Ray subsegment of the attempt that answered: opened by the attempt (./call.ts, which also ends those that
   * failed), ended once by `handleGatewayRequest` with the request's final status, usage and cost.
   */
  span?: ProviderSpan;
}
