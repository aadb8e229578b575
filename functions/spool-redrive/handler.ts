/**
 * The Lambda on the usage spool queue (CONTRACT.md §4, "Nothing is lost"): writes each spooled row into the usage
 * table with the table's once-only condition, so a message delivered twice is still one row and one stream INSERT
 * (counted once by the aggregator). Rows that could not be written are reported as partial batch failures and come
 * back after the visibility timeout; a message that is not a row is logged and dropped, never retried.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/batch/
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { log } from '../../lib/gateway/log.js';
import { tableNamesFromEnv } from '../../lib/storage/tables.js';
import { captureAWSv3Client } from '../../lib/tracing/index.js';
import type { UsageItem } from '../../lib/usage/counters.js';
import { decodeSpooledRow } from '../../lib/usage/sqs-spool.js';
import { UsageStore } from '../../lib/usage/store.js';
import { tracedHandler } from '../shared/traced-handler.js';

export type SpoolRedriveHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export function spoolRedriveHandler(usage: Pick<UsageStore, 'putItem'>): SpoolRedriveHandler {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let item: UsageItem;
    try {
      item = decodeSpooledRow(record.body);
    } catch (error) {
      // No retry makes a malformed message a row; retrying it would only park it in the dead-letter queue later.
      log.warn('spooled usage message dropped: not a usage row', {
        message_id: record.messageId,
        problem: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    await usage.putItem(item);
  };
  return async (event, context) => {
    // A processor per invocation: it keeps the batch's state, and invocations may overlap off Lambda.
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, recordHandler, processor, { context });
  };
}

// CONTRACT.md §4: an AWS call times out instead of hanging (the SDK builds its NodeHttpHandler from these options).
const client = captureAWSv3Client(
  new DynamoDBClient({ maxAttempts: 3, requestHandler: { requestTimeout: 3_000, connectionTimeout: 1_000 } }),
);

export const handler = tracedHandler(spoolRedriveHandler(new UsageStore(client, tableNamesFromEnv())), {
  captureResponse: true,
});
