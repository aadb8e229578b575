import type { Clock } from '../core/clock.js';
import type { DefaultCredentials } from '../core/types.js';
import type { Stores } from '../storage/types.js';
import type { Metering } from '../usage/recorder.js';
import type { CallSettings } from './call.js';

/** What the data plane runs on: the same in the chat Lambda and in the local server. */
export interface GatewayDeps {
  stores: Stores;
  /** Gateway-wide default credentials (env locally, the defaults secret in AWS). */
  defaults(): Promise<DefaultCredentials>;
  settings: CallSettings;
  /** Where usage rows go (step 7), the rate-limit counters, and the budgets' month ledgers. */
  metering: Metering;
  /** Time for timeouts, backoff and keep-alives; the system clock unless a test drives it. */
  clock?: Clock;
}
