/**
 * What each Bedrock model family can take through the Converse API. The catalog's `capabilities` and
 * `input_formats` win when the routed model has an entry; for the many models the catalog lacks, a small table keyed
 * by model-id prefix says what AWS documents, so the gateway answers a clear 400 instead of an opaque upstream one.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/conversation-inference-supported-models-features.html
 */
import type { CatalogEntry } from '../../catalog.js';

export interface FamilyTraits {
  /** Accepts a top-level `system` prompt. */
  system: boolean;
  tools: boolean;
  /** Tool use through ConverseStream; families without it are asked with Converse and replayed as chunks. */
  streamingTools: boolean;
  /** `toolChoice` `any` / `tool` (forcing a tool); the others only take tools with `auto`. */
  forcedToolChoice: boolean;
  images: boolean;
}

const ALL: FamilyTraits = { system: true, tools: true, streamingTools: true, forcedToolChoice: true, images: true };
const TEXT_ONLY: FamilyTraits = {
  system: false,
  tools: false,
  streamingTools: false,
  forcedToolChoice: false,
  images: false,
};
const SYSTEM_ONLY: FamilyTraits = { ...TEXT_ONLY, system: true };
const TOOLS_NOT_STREAMED: FamilyTraits = { ...SYSTEM_ONLY, tools: true };

/** First matching prefix wins, so specific prefixes come before their family's general one. */
const FAMILIES: readonly (readonly [prefix: string, traits: FamilyTraits])[] = [
  ['anthropic.claude-3-5-haiku', { ...ALL, images: false }],
  ['anthropic.claude-v2', SYSTEM_ONLY],
  ['anthropic.claude-instant', SYSTEM_ONLY],
  ['anthropic.claude', ALL],
  ['amazon.nova-micro', { ...ALL, images: false }],
  ['amazon.nova', ALL],
  ['amazon.titan', TEXT_ONLY],
  ['meta.llama3-1', TOOLS_NOT_STREAMED],
  ['meta.llama3-2-11b', { ...TOOLS_NOT_STREAMED, images: true }],
  ['meta.llama3-2-90b', { ...TOOLS_NOT_STREAMED, images: true }],
  ['meta.llama3-3', TOOLS_NOT_STREAMED],
  ['meta.llama4', { ...TOOLS_NOT_STREAMED, images: true }],
  ['meta.llama', SYSTEM_ONLY],
  ['mistral.mistral-7b-instruct', TEXT_ONLY],
  ['mistral.mixtral-8x7b-instruct', TEXT_ONLY],
  ['mistral.mistral-large', { ...TOOLS_NOT_STREAMED, forcedToolChoice: true }],
  ['mistral.mistral-small', TOOLS_NOT_STREAMED],
  ['mistral.pixtral', { ...TOOLS_NOT_STREAMED, images: true }],
  ['cohere.command-r', { ...SYSTEM_ONLY, tools: true, streamingTools: true }],
  ['cohere.command', TEXT_ONLY],
  ['ai21.jamba-instruct', SYSTEM_ONLY],
  ['ai21.jamba', { ...SYSTEM_ONLY, tools: true, streamingTools: true }],
];

/** Geography prefixes of cross-region inference profiles (`us.anthropic.claude-…`, `global.…`). */
const PROFILE_PREFIXES = new Set(['us', 'us-gov', 'eu', 'apac', 'ap', 'jp', 'au', 'ca', 'global']);

/**
 * The foundation-model id behind a model id, inference profile id or ARN:
 * `arn:…:inference-profile/eu.meta.llama3-2-11b-instruct-v1:0` → `meta.llama3-2-11b-instruct-v1:0`.
 */
export function baseModelId(modelId: string): string {
  const last = modelId.startsWith('arn:') ? (modelId.split('/').at(-1) ?? modelId) : modelId;
  const parts = last.split('.');
  if (parts.length >= 3 && PROFILE_PREFIXES.has(parts[0]!)) return parts.slice(1).join('.');
  return last;
}

/**
 * The traits of a model. Unknown models (custom imports, application inference profiles, new families) are assumed
 * able: Bedrock's own validation is then the judge.
 */
export function familyTraits(modelId: string, catalogEntry?: CatalogEntry): FamilyTraits {
  const base = baseModelId(modelId).toLowerCase();
  const traits = FAMILIES.find(([prefix]) => base.startsWith(prefix))?.[1] ?? ALL;
  if (!catalogEntry) return traits;
  const tools = catalogEntry.capabilities ? catalogEntry.capabilities.includes('tools') : traits.tools;
  const images = catalogEntry.input_formats ? catalogEntry.input_formats.includes('image') : traits.images;
  return {
    ...traits,
    tools,
    streamingTools: tools && traits.streamingTools,
    forcedToolChoice: tools && traits.forcedToolChoice,
    images,
  };
}
