import type { CallContext, ChatRequest } from '../../core/types.js';

/** A request field that only steers the answer: a provider without an equivalent may drop it, and says so. */
export type HintField = keyof ChatRequest & string;

/**
 * Reports each hint of a provider's `DROPPED_HINTS` table that the request sets (CONTRACT.md §2: listed in
 * `x-gateway-ignored`); the request builder leaves them out of the upstream body.
 */
export function reportDroppedHints(
  req: ChatRequest,
  hints: readonly HintField[],
  ctx: Pick<CallContext, 'ignore'>,
): void {
  for (const hint of hints) if (req[hint] != null) ctx.ignore(hint);
}
