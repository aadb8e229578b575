/**
 * One X-Ray subsegment per provider call (DESIGN.md §7): `provider:<name>`, annotated with `provider`, `model`,
 * `project_id` and `status` (searchable in X-Ray), with token counts, cost and time to first token as metadata.
 * Nothing else is recorded: not the request, not the answer, not an error's message (upstream messages can echo a
 * credential), only an error's `type` and `code`.
 *
 * Tracing never breaks a request: every X-Ray call is guarded, and a span that cannot be opened is a no-op.
 * The subsegment is a child of the current segment and is not made the current one, so overlapping calls (retries,
 * concurrent invocations locally) never see each other's span: per-request state lives on the span object.
 * @see https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Usage } from '../core/types.js';
import { tracer as processTracer } from './tracer.js';

export interface ProviderCallInfo {
  /** The provider's name as in `provider/model` (`openai`, `bedrock`, a custom provider's name). */
  provider: string;
  /** The provider's own model name. */
  model: string;
  projectId: string;
}

export interface ProviderSpanResult {
  /** The call's HTTP status as the gateway reports it: 200, the GatewayError's status, or 499 when the client left. */
  status: number;
  usage?: Usage;
  /** USD; null when the model has no price. */
  costUsd?: number | null;
  /** Milliseconds from the start of the call to the first content token. */
  ttftMs?: number;
  /** The error that ended the call; only its `type` and `code` are recorded. */
  error?: unknown;
}

export interface ProviderSpan {
  /** False when tracing is off (outside Lambda) or the subsegment could not be opened: `end` then does nothing. */
  readonly recording: boolean;
  /** Records the result and closes the subsegment. Only the first call counts; later ones are ignored. */
  end(result: ProviderSpanResult): void;
}

export interface SpanOptions {
  /** The tracer to use; the process's by default. */
  tracer?: Tracer;
}

/** The metadata namespace of the gateway's own data in the subsegment. */
export const METADATA_NAMESPACE = 'gateway';

/** The parts of the X-Ray SDK's segment objects used here (the SDK's own types are not a direct dependency). */
interface SubsegmentLike {
  addAnnotation(key: string, value: string | number | boolean): void;
  addMetadata(key: string, value: unknown, namespace?: string): void;
  addErrorFlag(): void;
  addFaultFlag(): void;
  addThrottleFlag(): void;
  close(): void;
}

interface ParentLike {
  addNewSubsegment(name: string): SubsegmentLike;
}

const NOT_RECORDING: ProviderSpan = { recording: false, end() {} };

/** X-Ray names allow letters, digits, whitespace and `_.:/%&#=+\-@`, up to 200 characters. */
export function subsegmentName(provider: string): string {
  return `provider:${provider}`.replace(/[^\p{L}\p{N}\s_.:/%&#=+\-@]/gu, '_').slice(0, 200);
}

/** Annotation values are indexed strings: keep them short. */
const annotationValue = (value: string) => value.slice(0, 250);

/**
 * Opens the `provider:<name>` subsegment under the current segment. Call `end` exactly once when the call is over
 * (for a stream: when it ended, failed or was abandoned), ideally from a `finally`.
 */
export function startProviderSpan(info: ProviderCallInfo, { tracer = processTracer }: SpanOptions = {}): ProviderSpan {
  let subsegment: SubsegmentLike;
  try {
    if (!tracer?.isTracingEnabled()) return NOT_RECORDING;
    const parent = tracer.getSegment() as unknown as ParentLike | undefined;
    if (!parent || typeof parent.addNewSubsegment !== 'function') return NOT_RECORDING;
    subsegment = parent.addNewSubsegment(subsegmentName(info.provider));
  } catch {
    return NOT_RECORDING;
  }
  guarded(() => {
    subsegment.addAnnotation('provider', annotationValue(info.provider));
    subsegment.addAnnotation('model', annotationValue(info.model));
    subsegment.addAnnotation('project_id', annotationValue(info.projectId));
  });
  let ended = false;
  return {
    recording: true,
    end(result) {
      if (ended) return;
      ended = true;
      try {
        guarded(() => record(subsegment, result));
      } finally {
        guarded(() => subsegment.close());
      }
    },
  };
}

function record(subsegment: SubsegmentLike, { status, usage, costUsd, ttftMs, error }: ProviderSpanResult): void {
  subsegment.addAnnotation('status', status);
  if (status === 429) subsegment.addThrottleFlag();
  if (status >= 500) subsegment.addFaultFlag();
  else if (status >= 400) subsegment.addErrorFlag();
  if (usage) {
    subsegment.addMetadata(
      'tokens',
      {
        input: usage.inputTokens,
        output: usage.outputTokens,
        cache_read: usage.cacheReadTokens,
        cache_write: usage.cacheWriteTokens,
        ...(usage.reasoningTokens !== undefined ? { reasoning: usage.reasoningTokens } : {}),
      },
      METADATA_NAMESPACE,
    );
  }
  // The X-Ray SDK stores a null as '': say "unpriced" in words instead.
  if (costUsd !== undefined) subsegment.addMetadata('cost_usd', costUsd ?? 'unpriced', METADATA_NAMESPACE);
  if (ttftMs !== undefined) subsegment.addMetadata('ttft_ms', ttftMs, METADATA_NAMESPACE);
  if (error !== undefined) subsegment.addMetadata('error', errorSummary(error), METADATA_NAMESPACE);
}

/** An error's kind without its message: a GatewayError's `type` and `code`, else the error's class name. */
export function errorSummary(error: unknown): { type: string; code: string | null } {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 100) : null);
  return {
    type: text(fields.type) ?? text(fields.name) ?? typeof error,
    code: text(fields.code),
  };
}

/** The status a failed call reports: the error's HTTP `status`, 499 when it was aborted, else 500. */
export function statusOfError(error: unknown): number {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  if (typeof fields.status === 'number' && fields.status >= 100 && fields.status <= 599) return fields.status;
  if (fields.name === 'AbortError' || fields.name === 'ClientClosedError') return 499;
  return 500;
}

function guarded(run: () => void): void {
  try {
    run();
  } catch {
    // A tracing failure loses a trace, never a request.
  }
}
