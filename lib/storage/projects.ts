import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { newId } from './ids.js';
import { scanItems } from './read-pages.js';
import type { Project, ProjectStore } from './types.js';

type Item = Record<string, unknown>;

/** A stored item as a Project; tolerant of missing fields so older rows still read. */
export function toProject(item: Item): Project {
  return { id: String(item.id), name: String(item.name ?? ''), created_at: String(item.created_at ?? '') };
}

/** Projects in DynamoDB, one item per project keyed by `id`. */
export class DynamoProjectStore implements ProjectStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(name: string): Promise<Project> {
    const project: Project = { id: newId('proj_'), name, created_at: this.now().toISOString() };
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(project),
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
    return project;
  }

  async get(id: string): Promise<Project | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ id }), ConsistentRead: true }),
    );
    return Item ? toProject(unmarshall(Item)) : undefined;
  }

  /** Every project, oldest first. A scan: the projects table stays small (one row per tenant). */
  async list(): Promise<Project[]> {
    const items = await scanItems(this.client, { TableName: this.tableName, ConsistentRead: true });
    const projects = items.map(toProject);
    return projects.sort((a, b) => compareStrings(a.created_at, b.created_at) || compareStrings(a.id, b.id));
  }
}

/** Code-unit order: ISO timestamps and hex ids sort correctly without locale rules. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
