/**
 * The admin Lambda behind a Function URL (payload v2, `AWS_IAM` auth): decodes the event, hands it to
 * lib/admin, and returns the answer (the local server calls lib/admin itself).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleAdmin } from '../../lib/admin/index.js';
import { toHttpRequest } from '../../lib/gateway/event.js';
import { storesFromEnv } from '../../lib/storage/index.js';
import { tracedHandler } from '../shared/traced-handler.js';

async function adminHandler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const response = await handleAdmin(toHttpRequest(event), {
    stores: storesFromEnv(),
    adminToken: process.env.GATEWAY_ADMIN_TOKEN,
  });
  return { statusCode: response.status, headers: response.headers, body: response.body };
}

// An answer can hold a new gateway key: it stays out of the trace.
export const handler = tracedHandler(adminHandler, { captureResponse: false });
