/**
 * Gemini's `generateContent` wire shapes, as far as the gateway uses them. Requests are plain types (the same
 * camelCase fields the @google/genai SDK takes and sends); responses are checked with tolerant zod schemas: open
 * objects, optional everything, finish reasons as any string, so a new field or enum value never breaks a call.
 * @see https://ai.google.dev/api/generate-content
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference
 */
import * as z from 'zod';

export interface GeminiFunctionCall {
  id?: string;
  name: string;
  args: Record<string, unknown>;
}

export interface GeminiPart {
  text?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: { name: string; response: Record<string, unknown> };
  thoughtSignature?: string;
}

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** The OpenAPI 3.0 subset Gemini takes for function parameters and response schemas (see schema.ts). */
export interface GeminiSchema {
  type?: 'STRING' | 'NUMBER' | 'INTEGER' | 'BOOLEAN' | 'ARRAY' | 'OBJECT';
  format?: string;
  title?: string;
  description?: string;
  nullable?: boolean;
  enum?: string[];
  default?: unknown;
  example?: unknown;
  items?: GeminiSchema;
  minItems?: string;
  maxItems?: string;
  properties?: Record<string, GeminiSchema>;
  propertyOrdering?: string[];
  required?: string[];
  minProperties?: string;
  maxProperties?: string;
  minLength?: string;
  maxLength?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: GeminiSchema[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parameters?: GeminiSchema;
}

export interface GeminiToolConfig {
  functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] };
}

/** The SDK's `GenerateContentConfig`: generation settings flattened beside system instruction and tools. */
export interface GeminiConfig {
  systemInstruction?: { parts: { text: string }[] };
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  candidateCount?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseSchema?: GeminiSchema;
  tools?: { functionDeclarations: GeminiFunctionDeclaration[] }[];
  toolConfig?: GeminiToolConfig;
  thinkingConfig?: { thinkingBudget?: number; thinkingLevel?: string };
}

/** The SDK's `GenerateContentParameters`, minus the call-only fields model.ts adds (abort signal, SDK switches). */
export interface GeminiRequest {
  model: string;
  contents: GeminiContent[];
  config: GeminiConfig;
}

const partSchema = z
  .object({
    text: z.string().nullish(),
    thought: z.boolean().nullish(),
    functionCall: z
      .object({
        id: z.string().nullish(),
        name: z.string().nullish(),
        args: z.record(z.string(), z.unknown()).nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

export const usageMetadataSchema = z
  .object({
    promptTokenCount: z.number().nullish(),
    candidatesTokenCount: z.number().nullish(),
    thoughtsTokenCount: z.number().nullish(),
    cachedContentTokenCount: z.number().nullish(),
    toolUsePromptTokenCount: z.number().nullish(),
    totalTokenCount: z.number().nullish(),
  })
  .loose();
export type GeminiUsageMetadata = z.infer<typeof usageMetadataSchema>;

const candidateSchema = z
  .object({
    index: z.number().nullish(),
    content: z
      .object({ role: z.string().nullish(), parts: z.array(partSchema).nullish() })
      .loose()
      .nullish(),
    finishReason: z.string().nullish(),
  })
  .loose();

export const generateContentResponseSchema = z
  .object({
    candidates: z.array(candidateSchema).nullish(),
    promptFeedback: z.object({ blockReason: z.string().nullish() }).loose().nullish(),
    usageMetadata: usageMetadataSchema.nullish(),
    responseId: z.string().nullish(),
    modelVersion: z.string().nullish(),
  })
  .loose();
export type GeminiResponse = z.infer<typeof generateContentResponseSchema>;
export type GeminiCandidate = z.infer<typeof candidateSchema>;
