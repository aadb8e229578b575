/**
 * What every provider's `mapError(error, ctx, info)` (its `errors.ts`) is told about the call that failed: `ctx`
 * carries the call's abort signal, `info` this type.
 */
export interface ErrorContext {
  /** The provider's name as the caller wrote it (`openai`, `groq`, `vertex-ai`), used in messages. */
  provider: string;
  /** The provider's model name, for the 404 message. */
  model: string;
  /** Strings no message may echo: an api key or access token, a custom upstream's host. */
  secrets?: readonly string[];
}
