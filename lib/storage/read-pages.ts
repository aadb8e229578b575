/**
 * Queries and scans that follow DynamoDB's pages: a page stops at 1 MB (or at `Limit`), so one request may not hold
 * every item asked for, and reading on from `LastEvaluatedKey` is the caller's job.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

type Key = Record<string, AttributeValue>;

export interface ReadOptions {
  /**
   * Stop once this many items are in (there may be more). Without a filter each page also asks for no more than are
   * still wanted; with one, pages are read whole, since `Limit` counts the items read, not the items kept.
   */
  atMost?: number;
  /** Start after this key (a cursor handed out earlier). */
  startAfter?: Key;
}

interface Page {
  Items?: Key[];
  LastEvaluatedKey?: Key;
}

/** Every item of a Query (or its first `atMost`), unmarshalled, in the order DynamoDB returns them. */
export function queryItems(
  client: DynamoDBClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>,
  options: ReadOptions = {},
): Promise<Record<string, unknown>[]> {
  return readPages(input, options, (page) => client.send(new QueryCommand({ ...input, ...page })));
}

/** Every item of a Scan (or its first `atMost`), unmarshalled. */
export function scanItems(
  client: DynamoDBClient,
  input: Omit<ScanCommandInput, 'ExclusiveStartKey' | 'Limit'>,
  options: ReadOptions = {},
): Promise<Record<string, unknown>[]> {
  return readPages(input, options, (page) => client.send(new ScanCommand({ ...input, ...page })));
}

async function readPages(
  input: { FilterExpression?: string },
  { atMost, startAfter }: ReadOptions,
  send: (page: { ExclusiveStartKey?: Key; Limit?: number }) => Promise<Page>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const limitPages = atMost !== undefined && input.FilterExpression === undefined;
  let start = startAfter;
  do {
    const page = await send({
      ...(start ? { ExclusiveStartKey: start } : {}),
      ...(limitPages ? { Limit: atMost - items.length } : {}),
    });
    for (const item of page.Items ?? []) {
      items.push(unmarshall(item));
      if (atMost !== undefined && items.length >= atMost) return items;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
