/**
 * Well-known OpenAI-compatible services: the same provider as a custom one, with a public base URL the gateway
 * knows (DESIGN.md §2, vLLora's built-in provider table). Data, not code: adding a service is one line.
 * Each URL is the base the service's own docs give for the official openai SDK (`/chat/completions` is appended).
 */
export interface BuiltinOpenAICompatible {
  baseUrl: string;
}

export const BUILTIN_OPENAI_COMPATIBLE: Readonly<Record<string, BuiltinOpenAICompatible>> = {
  /** @see https://console.groq.com/docs/openai */
  groq: { baseUrl: 'https://api.groq.com/openai/v1' },
  /** @see https://api-docs.deepseek.com/ (`/v1` is accepted "for compatibility with OpenAI") */
  deepseek: { baseUrl: 'https://api.deepseek.com/v1' },
  /** @see https://docs.x.ai/api/integrations */
  xai: { baseUrl: 'https://api.x.ai/v1' },
  /** @see https://docs.mistral.ai/api/ */
  mistral: { baseUrl: 'https://api.mistral.ai/v1' },
  /** @see https://docs.together.ai/docs/inference/openai-compatibility (api.together.xyz is the older alias) */
  togetherai: { baseUrl: 'https://api.together.ai/v1' },
  /** @see https://docs.fireworks.ai/tools-sdks/openai-compatibility */
  fireworksai: { baseUrl: 'https://api.fireworks.ai/inference/v1' },
  /** @see https://openrouter.ai/docs/quickstart */
  openrouter: { baseUrl: 'https://openrouter.ai/api/v1' },
  /** @see https://deepinfra.com/docs/advanced/openai_api */
  deepinfra: { baseUrl: 'https://api.deepinfra.com/v1/openai' },
};
