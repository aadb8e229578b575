/**
 * The gateway-wide default credentials from the environment (CONTRACT.md §3): used when a project has none of its
 * own for a provider. `VLLORA_*` names are accepted as aliases so a vLLora setup carries over.
 */
import type { DefaultCredentials } from '../core/types.js';

const API_KEY_VARIABLES: Record<string, readonly string[]> = {
  openai: ['OPENAI_API_KEY', 'VLLORA_OPENAI_API_KEY'],
  anthropic: ['ANTHROPIC_API_KEY', 'VLLORA_ANTHROPIC_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'VLLORA_GEMINI_API_KEY'],
  groq: ['GROQ_API_KEY', 'VLLORA_GROQ_API_KEY'],
  deepseek: ['DEEPSEEK_API_KEY', 'VLLORA_DEEPSEEK_API_KEY'],
  xai: ['XAI_API_KEY', 'VLLORA_XAI_API_KEY'],
  mistral: ['MISTRAL_API_KEY', 'VLLORA_MISTRAL_API_KEY'],
  togetherai: ['TOGETHER_API_KEY', 'TOGETHERAI_API_KEY', 'VLLORA_TOGETHERAI_API_KEY'],
  fireworksai: ['FIREWORKS_API_KEY', 'FIREWORKSAI_API_KEY', 'VLLORA_FIREWORKSAI_API_KEY'],
  openrouter: ['OPENROUTER_API_KEY', 'VLLORA_OPENROUTER_API_KEY'],
  deepinfra: ['DEEPINFRA_API_KEY', 'VLLORA_DEEPINFRA_API_KEY'],
} as const;

const BASE_URL_VARIABLES: Record<string, string> = {
  openai: 'OPENAI_BASE_URL',
  anthropic: 'ANTHROPIC_BASE_URL',
  gemini: 'GEMINI_BASE_URL',
};

function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

export function defaultsFromEnv(env: NodeJS.ProcessEnv = process.env): DefaultCredentials {
  const defaults: DefaultCredentials = {};
  for (const [provider, names] of Object.entries(API_KEY_VARIABLES)) {
    const apiKey = firstSet(env, names);
    if (!apiKey) continue;
    const baseUrlVariable = BASE_URL_VARIABLES[provider];
    const baseUrl = baseUrlVariable ? env[baseUrlVariable]?.trim() : undefined;
    defaults[provider] = baseUrl ? { api_key: apiKey, base_url: baseUrl } : { api_key: apiKey };
  }
  // Bedrock needs no key: the default AWS credential chain (in Lambda, the function's role) can call it. That is
  // opt-in (CONTRACT.md §6): on Lambda every function has a region and a role, and not every project may use them.
  const region = firstSet(env, ['AWS_REGION', 'AWS_DEFAULT_REGION']);
  if (region && env[BEDROCK_DEFAULT_CHAIN_VARIABLE] === 'true') defaults.bedrock = { region };
  return defaults;
}

/**
 * `true`: projects without a Bedrock credential call Bedrock with the default AWS credential chain. The stack sets
 * it when deployed with the `bedrockModels` context; locally, set it to use your own AWS credentials.
 */
export const BEDROCK_DEFAULT_CHAIN_VARIABLE = 'GATEWAY_BEDROCK_DEFAULT_CHAIN';

/** Which providers have a default, for the local server's start-up banner (names only, never values). */
export function configuredDefaults(defaults: DefaultCredentials): string[] {
  return Object.keys(defaults).filter((name) => defaults[name] !== undefined);
}
