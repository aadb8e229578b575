/**
 * Hard budgets (CONTRACT.md §4): a budgeted key has one ledger item per UTC month in `usage_daily`
 * (`budget#<project>#<month>`, `key#<key id>`) whose `committed_units` is the month's spend plus the reservations of
 * requests in flight. A request reserves its worst-case cost with one conditional `ADD` before the provider is
 * called, so any number of requests on any number of Lambda instances cannot commit more than the budget; when it
 * ends, it settles by adding (actual − reserved). DynamoDB conditions cannot add, so the condition compares
 * `committed_units` with the budget minus this reservation, computed here.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isAwsError } from '../storage/aws-errors.js';
import { budgetKey } from './counters.js';
import type { CostUnits } from './units.js';

export interface BudgetScope {
  projectId: string;
  keyId: string;
  /** `YYYY-MM` (UTC) of the request's start: reservation and settlement hit the same month's item. */
  month: string;
}

/** A reservation that did not fit: how much was left of the budget at the time. */
export class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
  constructor(readonly remainingUnits: CostUnits) {
    super('budget exceeded');
  }
}

export class BudgetLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Changes the scope's reservation by `deltaUnits` (a first reservation, or the switch to a fallback model with
   * another price). A positive change must fit: committed + delta ≤ budget, else `BudgetExceeded`; a negative one
   * always applies. Storage errors are thrown as they come.
   */
  async reserve(scope: BudgetScope, deltaUnits: CostUnits, budgetUnits: CostUnits): Promise<void> {
    if (deltaUnits === 0) return;
    if (deltaUnits < 0) return this.add(scope, deltaUnits);
    if (deltaUnits > budgetUnits) throw new BudgetExceeded(Math.max(0, budgetUnits - (await this.committed(scope))));
    try {
      await this.add(scope, deltaUnits, {
        ConditionExpression: 'attribute_not_exists(committed_units) OR committed_units <= :limit',
        limit: budgetUnits - deltaUnits,
      });
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
      throw new BudgetExceeded(Math.max(0, budgetUnits - (await this.committed(scope))));
    }
  }

  /** Turns a reservation into the actual cost: one unconditional `ADD` of (actual − reserved). */
  async settle(scope: BudgetScope, reservedUnits: CostUnits, actualUnits: CostUnits): Promise<void> {
    await this.add(scope, actualUnits - reservedUnits);
  }

  /** The month's spend plus reservations in flight. */
  async committed(scope: BudgetScope): Promise<CostUnits> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(budgetKey(scope.projectId, scope.keyId, scope.month)),
        ConsistentRead: true,
      }),
    );
    return Item ? Number(unmarshall(Item).committed_units ?? 0) : 0;
  }

  private async add(
    scope: BudgetScope,
    units: CostUnits,
    condition?: { ConditionExpression: string; limit: CostUnits },
  ): Promise<void> {
    if (units === 0) return;
    const input: UpdateItemCommandInput = {
      TableName: this.tableName,
      Key: marshall(budgetKey(scope.projectId, scope.keyId, scope.month)),
      UpdateExpression: 'ADD committed_units :units',
      ExpressionAttributeValues: condition
        ? { ':units': numberAttribute(units), ':limit': numberAttribute(condition.limit) }
        : { ':units': numberAttribute(units) },
      ...(condition ? { ConditionExpression: condition.ConditionExpression } : {}),
    };
    await this.client.send(new UpdateItemCommand(input));
  }
}

/**
 * Units as a DynamoDB number, written digit for digit: budgets above about 900,000 USD are more than 2^53 units,
 * which `marshall` refuses (it would lose precision on a read back into a JS number; the ledger never reads it for
 * arithmetic that needs more than the 15 significant digits a double keeps).
 */
function numberAttribute(units: CostUnits): { N: string } {
  return { N: BigInt(Math.round(units)).toString() };
}
