/**
 * Step 7 of the pipeline: accounting, after the response has ended and before the handler returns. It never fails
 * the caller's response: a failed write is logged loudly.
 */
import type { Stores } from '../storage/types.js';
import { log } from './log.js';
import type { RequestOutcome } from './outcome.js';

export async function account(outcome: RequestOutcome, stores: Stores): Promise<void> {
  if (outcome.key) {
    await stores.keys.touch(outcome.key, outcome.at).catch((error: unknown) => {
      log.error('could not record the key use', { requestId: outcome.requestId, keyId: outcome.keyId, error });
    });
  }
}
