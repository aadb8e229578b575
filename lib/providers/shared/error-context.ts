/**
 * What every provider's `mapError(error, info)` (its `errors.ts`) is told about the call that failed. Not whether
 * the gateway aborted it: aborts are the pipeline's to handle (lib/gateway/call.ts).
 */
export interface ErrorContext {
  /** The provider's name as the caller wrote it (`openai`, `groq`, `vertex-ai`), used in messages. */
  provider: string;
  /** The provider's model name, for the 404 message. */
  model: string;
  /** Strings no message may echo: an api key or access token, a custom upstream's host. */
  secrets?: readonly string[];
}
