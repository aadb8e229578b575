/**
 * The admin Lambda behind a Function URL (payload v2, `AWS_IAM` auth): decodes the event, hands it to
 * lib/admin, and returns the answer. The local server calls this same handler.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleAdmin } from '../../lib/admin/index.js';
import { storesFromEnv } from '../../lib/storage/index.js';

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const body =
    event.body === undefined
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  const query: Record<string, string | undefined> = { ...event.queryStringParameters };
  const headers: Record<string, string | undefined> = { ...event.headers };
  const response = await handleAdmin(
    { method: event.requestContext.http.method, path: event.rawPath, query, headers, body },
    { stores: storesFromEnv(), adminToken: process.env.GATEWAY_ADMIN_TOKEN },
  );
  return { statusCode: response.status, headers: response.headers, body: response.body };
}
