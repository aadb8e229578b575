/**
 * The Lambda on the usage table's DynamoDB Stream (DESIGN.md §4, metering path): adds each batch of new rows to the
 * `usage_daily` counters (lib/usage/stream-aggregator.ts) and reports the records it could not write as partial
 * batch failures, so Lambda retries from the first of them and never re-applies what came before.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/batch/
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { log } from '../../lib/gateway/log.js';
import { tableNamesFromEnv } from '../../lib/storage/tables.js';
import { captureAWSv3Client } from '../../lib/tracing/index.js';
import { aggregateUsageStream, type CounterTarget } from '../../lib/usage/stream-aggregator.js';
import { tracedHandler } from '../shared/traced-handler.js';

/** Thrown for a record whose chunk was not written: Powertools turns it into a `batchItemFailures` entry. */
export class CountersNotWritten extends Error {
  override readonly name = 'CountersNotWritten';
}

export type AggregatorHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

export function aggregatorHandler(target: CounterTarget): AggregatorHandler {
  return async (event, context) => {
    const result = await aggregateUsageStream(event.Records, target);
    for (const { sequenceNumber, problem } of result.skipped) {
      log.warn('usage stream record skipped: not a usage row', { sequence_number: sequenceNumber, problem });
    }
    const failed = new Set(result.failedSequenceNumbers);
    if (failed.size > 0) {
      log.error('usage counters not written; Lambda retries from the first failed record', {
        error: result.error,
        failed_records: failed.size,
        first_failed: result.failedSequenceNumbers[0],
      });
    }
    const recordHandler = async (record: DynamoDBRecord): Promise<void> => {
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
      if (failed.has(sequenceNumber)) throw new CountersNotWritten(`record ${sequenceNumber} not counted`);
    };
    // A processor per invocation: it keeps the batch's state, and invocations may overlap off Lambda.
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    return processPartialResponse(event, recordHandler, processor, { context });
  };
}

// CONTRACT.md §4: an AWS call times out instead of hanging (the SDK builds its NodeHttpHandler from these options).
const client = captureAWSv3Client(
  new DynamoDBClient({ maxAttempts: 3, requestHandler: { requestTimeout: 3_000, connectionTimeout: 1_000 } }),
);

export const handler = tracedHandler(aggregatorHandler({ client, usageDailyTable: tableNamesFromEnv().usageDaily }), {
  captureResponse: true,
});
