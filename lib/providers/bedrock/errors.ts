import { GatewayError, isGatewayError } from '../../core/errors.js';
import type { ErrorContext } from '../shared/error-context.js';
import { mapUpstreamStatus, upstreamTimeout, upstreamUnreachable } from '../shared/http-errors.js';

/** What the AWS SDK's service exceptions carry (`BedrockRuntimeServiceException`), read without importing it. */
interface AwsErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ETIMEDOUT']);

function upstream(status: number, code: string, message: string, retryable: boolean, cause: unknown): GatewayError {
  return new GatewayError({ status, type: 'upstream_error', code, message, retryable, cause });
}

/**
 * Maps anything thrown by a Bedrock runtime call or while reading its event stream (a modelled exception, thrown
 * before or during a stream) to the contract's error. After the gateway aborted the call, what this says is not
 * read: the pipeline decides (lib/gateway/call.ts). The upstream message is shown only where the caller can act on it (validation); access errors
 * get the gateway's own wording, since AWS's names the account and role.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors
 */
export function mapError(error: unknown, info: ErrorContext): GatewayError {
  if (isGatewayError(error)) return error;
  const { provider, model } = info;
  const { name, message, code, $metadata } = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorLike;
  const text = typeof message === 'string' ? message : undefined;
  const cause = error;
  switch (name) {
    case 'ValidationException':
    case 'ConflictException':
      return mapUpstreamStatus({ provider, status: 400, message: text, code: 'validation_error', cause });
    case 'ThrottlingException':
    case 'ServiceQuotaExceededException':
      return mapUpstreamStatus({ provider, status: 429, cause });
    case 'ModelNotReadyException':
      return mapUpstreamStatus({ provider, status: 503, code: 'model_not_ready', cause });
    case 'ServiceUnavailableException':
      return mapUpstreamStatus({ provider, status: 503, cause });
    case 'ModelTimeoutException':
    case 'TimeoutError':
      return upstreamTimeout(provider, cause);
    case 'AccessDeniedException':
      return new GatewayError({
        status: 502,
        type: 'upstream_error',
        code: 'provider_auth_failed',
        message:
          `Bedrock denied access to '${model}': the credential configured for this project lacks ` +
          'bedrock:InvokeModel on it, or the model is not enabled in the account’s Bedrock model access.',
        cause,
      });
    case 'ResourceNotFoundException':
      return mapUpstreamStatus({ provider, status: 404, model, cause });
    case 'InternalServerException':
      return upstream(502, 'upstream_error', 'Bedrock failed to answer (internal server error).', true, cause);
    case 'ModelErrorException':
      return upstream(502, 'model_error', 'The Bedrock model failed to process the request.', true, cause);
    case 'ModelStreamErrorException':
      return upstream(502, 'model_stream_error', 'The Bedrock model failed while streaming its answer.', true, cause);
    case 'CredentialsProviderError':
      return upstream(
        502,
        'provider_auth_failed',
        'No AWS credentials are available for Bedrock: configure keys or an API key, or give the gateway a role.',
        false,
        cause,
      );
  }
  if (typeof $metadata?.httpStatusCode === 'number' && $metadata.httpStatusCode >= 400) {
    return mapUpstreamStatus({ provider, status: $metadata.httpStatusCode, model, cause });
  }
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('ERR_HTTP2'))) {
    return upstreamUnreachable(provider, cause);
  }
  // Anything else the client throws (an HTTP/2 stream reset, an unreadable frame) is still Bedrock failing.
  return upstream(502, 'upstream_error', 'Bedrock failed to answer.', true, cause);
}
