/**
 * The stack's settings, read from CDK context (`cdk.json` or `-c key=value` on the command line), validated once so
 * that a typo fails the synth with a message naming the key instead of deploying something else.
 * @see https://docs.aws.amazon.com/cdk/v2/guide/context.html
 */
import type { Node } from 'constructs';

export interface GatewayConfig {
  /** The CloudFormation stack name; also the Secrets Manager prefix (`<stackName>/projects/<id>/providers`). */
  stackName: string;
  /** Memory of the chat function in MB (CPU scales with it). */
  chatMemoryMb: number;
  /** Retention of both functions' CloudWatch log groups, in days. */
  logRetentionDays: number;
  /** When set, DynamoDB expires usage rows whose numeric `expires_at` has passed; the chat function gets the days. */
  usageTtlDays: number | undefined;
  /** `POWERTOOLS_LOG_LEVEL` of both functions. */
  logLevel: string;
  /**
   * Bedrock model ids or inference profile ids (`*` allowed) that projects without a Bedrock credential of their
   * own may call with the chat function's role. Empty (the default): the role may call no Bedrock model at all, and
   * such projects get 400 `provider_not_configured` (CONTRACT.md §6).
   */
  bedrockModels: string[];
  /** Reserved concurrency of the chat function: a cap on what a flood of requests can cost. Unset: none. */
  chatReservedConcurrency: number | undefined;
  /** How long a warm chat function reuses key records and credentials, 0–60 s: the revocation delay. */
  cacheTtlSeconds: number;
  /**
   * Seconds a stream may stay silent before the chat function commits its head and writes `: keep-alive` comments
   * (every as many seconds again); under CloudFront's 30 s origin read timeout by default. 0: never.
   */
  keepAliveSeconds: number;
  /**
   * Whether the functions map stack traces through the bundles' source maps (`--enable-source-maps`). Off by
   * default: reading the maps is about a fifth of every cold start; the maps ship in the asset either way.
   */
  sourceMaps: boolean;
}

export const DEFAULT_CONFIG: Readonly<GatewayConfig> = {
  stackName: 'llm-gateway',
  chatMemoryMb: 1024,
  logRetentionDays: 30,
  usageTtlDays: undefined,
  logLevel: 'INFO',
  bedrockModels: [],
  chatReservedConcurrency: undefined,
  cacheTtlSeconds: 60,
  keepAliveSeconds: 15,
  sourceMaps: false,
};

/** A model id, inference profile id or a pattern of them: what may follow `foundation-model/` in an ARN. */
const BEDROCK_MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.:*-]{0,199}$|^\*$/;

function bedrockModels(node: Node): string[] {
  const raw: unknown = node.tryGetContext('bedrockModels');
  if (raw === undefined || raw === null || raw === '') return [];
  const list = Array.isArray(raw) ? raw : String(raw).split(',');
  const models = list.map((item) => String(item).trim()).filter((item) => item.length > 0);
  for (const model of models) {
    if (!BEDROCK_MODEL_PATTERN.test(model)) {
      throw new Error(
        `context bedrockModels holds model ids or patterns like anthropic.claude-* or us.amazon.nova-*, got ${JSON.stringify(model)}`,
      );
    }
  }
  return [...new Set(models)];
}

/** The retention periods CloudWatch Logs accepts. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

function integer(node: Node, key: string, fallback: number, min: number, max: number): number {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(String(raw));
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`context ${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Reads and checks every setting of {@link GatewayConfig}. */
export function configFromContext(node: Node): GatewayConfig {
  const stackName = String(node.tryGetContext('stackName') ?? DEFAULT_CONFIG.stackName);
  // CloudFormation's stack name rule; the name is also a secret-name prefix, whose alphabet is wider.
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
    throw new Error(
      `context stackName must start with a letter and hold only letters, digits and '-', got ${stackName}`,
    );
  }
  const logRetentionDays = integer(node, 'logRetentionDays', DEFAULT_CONFIG.logRetentionDays, 1, 3653);
  if (!RETENTION_DAYS.includes(logRetentionDays)) {
    throw new Error(`context logRetentionDays must be one of ${RETENTION_DAYS.join(', ')}, got ${logRetentionDays}`);
  }
  const ttl: unknown = node.tryGetContext('usageTtlDays');
  const usageTtlDays =
    ttl === undefined || ttl === null || ttl === '' ? undefined : integer(node, 'usageTtlDays', 0, 1, 3650);
  const logLevel = String(node.tryGetContext('logLevel') ?? DEFAULT_CONFIG.logLevel).toUpperCase();
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`context logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    stackName,
    chatMemoryMb: integer(node, 'chatMemoryMb', DEFAULT_CONFIG.chatMemoryMb, 128, 10240),
    logRetentionDays,
    usageTtlDays,
    logLevel,
    bedrockModels: bedrockModels(node),
    chatReservedConcurrency: optionalInteger(node, 'chatReservedConcurrency', 1, 10_000),
    cacheTtlSeconds: integer(node, 'cacheTtlSeconds', DEFAULT_CONFIG.cacheTtlSeconds, 0, 60),
    keepAliveSeconds: integer(node, 'keepAliveSeconds', DEFAULT_CONFIG.keepAliveSeconds, 0, 600),
    sourceMaps: boolean(node, 'sourceMaps', DEFAULT_CONFIG.sourceMaps),
  };
}

function boolean(node: Node, key: string, fallback: boolean): boolean {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new Error(`context ${key} must be true or false, got ${JSON.stringify(raw)}`);
}

function optionalInteger(node: Node, key: string, min: number, max: number): number | undefined {
  const raw: unknown = node.tryGetContext(key);
  return raw === undefined || raw === null || raw === '' ? undefined : integer(node, key, min, min, max);
}
