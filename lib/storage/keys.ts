import { type DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isAwsError } from './aws-errors.js';
import { hashKey, newGatewayKey, newId } from './ids.js';
import { queryItems } from './read-pages.js';
import { KEYS_BY_PROJECT_INDEX } from './tables.js';
import { TOUCH_INTERVAL_MS, touchDue } from './touch.js';
import type { KeyChanges, KeyRecord, KeyStore, NewKey } from './types.js';

type Item = Record<string, unknown>;

const nullableString = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const nullableNumber = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** A stored item as a KeyRecord; absent attributes read as null (null fields are not written). */
export function toKeyRecord(item: Item): KeyRecord {
  return {
    id: String(item.id),
    hash: String(item.hash),
    project_id: String(item.project_id),
    prefix: String(item.prefix ?? ''),
    name: nullableString(item.name),
    created_at: String(item.created_at ?? ''),
    expires_at: nullableString(item.expires_at),
    budget_usd: nullableNumber(item.budget_usd),
    rpm: nullableNumber(item.rpm),
    models: Array.isArray(item.models) ? item.models.map(String) : null,
    revoked_at: nullableString(item.revoked_at),
    last_used_at: nullableString(item.last_used_at),
  };
}

/** Drops null fields so that "unset" is one thing in the table (attribute absent), which conditions rely on. */
function withoutNulls(record: KeyRecord): Item {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null && value !== undefined));
}

/**
 * Gateway keys in DynamoDB, keyed by the key's sha256 so authentication is one GetItem; the `by_project` index
 * (project_id + created_at) serves the admin listing. The plaintext key is never written.
 */
export class DynamoKeyStore implements KeyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(projectId: string, options: NewKey): Promise<{ record: KeyRecord; key: string }> {
    const key = newGatewayKey();
    const record: KeyRecord = {
      id: newId('key_'),
      hash: hashKey(key),
      project_id: projectId,
      prefix: key.slice(0, 8),
      name: options.name ?? null,
      created_at: this.now().toISOString(),
      expires_at: options.expires_at ?? null,
      budget_usd: options.budget_usd ?? null,
      rpm: options.rpm ?? null,
      models: options.models ?? null,
      revoked_at: null,
      last_used_at: null,
    };
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(withoutNulls(record)),
        ConditionExpression: 'attribute_not_exists(#hash)',
        ExpressionAttributeNames: { '#hash': 'hash' },
      }),
    );
    return { record, key };
  }

  async findByHash(hash: string): Promise<KeyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ hash }), ConsistentRead: true }),
    );
    return Item ? toKeyRecord(unmarshall(Item)) : undefined;
  }

  async list(projectId: string): Promise<KeyRecord[]> {
    return this.queryProject(projectId);
  }

  async revoke(projectId: string, keyId: string): Promise<KeyRecord | undefined> {
    const [found] = await this.queryProject(projectId, keyId);
    if (!found) return undefined;
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ hash: found.hash }),
          // Revoking twice keeps the first time: DELETE is idempotent.
          UpdateExpression: 'SET #revoked = if_not_exists(#revoked, :now)',
          ConditionExpression: 'attribute_exists(#hash) AND #project = :project',
          ExpressionAttributeNames: { '#revoked': 'revoked_at', '#hash': 'hash', '#project': 'project_id' },
          ExpressionAttributeValues: marshall({ ':now': this.now().toISOString(), ':project': projectId }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toKeyRecord(unmarshall(Attributes)) : undefined;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return undefined;
      throw error;
    }
  }

  async update(projectId: string, keyId: string, changes: KeyChanges): Promise<KeyRecord | undefined> {
    const [found] = await this.queryProject(projectId, keyId);
    if (!found) return undefined;
    const names: Record<string, string> = { '#hash': 'hash', '#project': 'project_id' };
    const values: Record<string, unknown> = { ':project': projectId };
    const set: string[] = [];
    const remove: string[] = [];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      // Unset is one thing in the table, an absent attribute (see withoutNulls).
      if (value === null) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    if (set.length === 0 && remove.length === 0) return found;
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ hash: found.hash }),
          UpdateExpression: [
            set.length ? `SET ${set.join(', ')}` : '',
            remove.length ? `REMOVE ${remove.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' '),
          ConditionExpression: 'attribute_exists(#hash) AND #project = :project',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: marshall(values),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toKeyRecord(unmarshall(Attributes)) : undefined;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return undefined;
      throw error;
    }
  }

  /**
   * Sets `last_used_at`, unless the record (possibly cached) or the table says it was set under a minute ago: the
   * condition keeps concurrent Lambdas from all writing the same minute.
   */
  async touch(record: KeyRecord, at: Date): Promise<void> {
    if (!touchDue(record.last_used_at, at)) return;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ hash: record.hash }),
          UpdateExpression: 'SET #used = :at',
          ConditionExpression: 'attribute_exists(#hash) AND (attribute_not_exists(#used) OR #used <= :threshold)',
          ExpressionAttributeNames: { '#used': 'last_used_at', '#hash': 'hash' },
          ExpressionAttributeValues: marshall({
            ':at': at.toISOString(),
            ':threshold': new Date(at.getTime() - TOUCH_INTERVAL_MS).toISOString(),
          }),
        }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
    }
  }

  /** A project's keys newest first, or only the one with `keyId`. Follows pages: a filter applies after paging. */
  private async queryProject(projectId: string, keyId?: string): Promise<KeyRecord[]> {
    const items = await queryItems(
      this.client,
      {
        TableName: this.tableName,
        IndexName: KEYS_BY_PROJECT_INDEX,
        KeyConditionExpression: '#project = :project',
        ...(keyId === undefined
          ? {
              ExpressionAttributeNames: { '#project': 'project_id' },
              ExpressionAttributeValues: marshall({ ':project': projectId }),
            }
          : {
              FilterExpression: '#id = :id',
              ExpressionAttributeNames: { '#project': 'project_id', '#id': 'id' },
              ExpressionAttributeValues: marshall({ ':project': projectId, ':id': keyId }),
            }),
        ScanIndexForward: false,
      },
      keyId === undefined ? {} : { atMost: 1 },
    );
    return items.map(toKeyRecord);
  }
}
