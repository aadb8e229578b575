/**
 * X-Ray tracing through Powertools (DESIGN.md §7): the process's tracer, AWS SDK client capture, and the
 * `provider:<name>` span around every provider call. Off outside Lambda, where every call is a no-op.
 */
export {
  type ProviderCallInfo,
  type ProviderSpan,
  type ProviderSpanResult,
  type SpanOptions,
  startProviderSpan,
  statusOfError,
} from './provider-span.js';
export { type Describe, type StreamSpanOptions, traceProviderCall, traceProviderStream } from './traced-calls.js';
export { captureAWSv3Client, tracer } from './tracer.js';
