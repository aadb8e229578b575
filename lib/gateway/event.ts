import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpRequest } from './http.js';

/** A Function URL event (payload v2) → the gateway's request. */
export function toHttpRequest(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body =
    event.body === undefined || event.body === null
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath || '/',
    query: { ...(event.queryStringParameters ?? {}) },
    headers,
    body,
  };
}
