/**
 * The admin Lambda behind a Function URL (payload v2, `AWS_IAM` auth): decodes the event, hands it to
 * lib/admin, and returns the answer. The local server calls this same handler.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleAdmin } from '../../lib/admin/index.js';
import { toHttpRequest } from '../../lib/gateway/event.js';
import { storesFromEnv } from '../../lib/storage/index.js';

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const response = await handleAdmin(toHttpRequest(event), {
    stores: storesFromEnv(),
    adminToken: process.env.GATEWAY_ADMIN_TOKEN,
  });
  return { statusCode: response.status, headers: response.headers, body: response.body };
}
