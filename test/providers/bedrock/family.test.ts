import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../../lib/catalog.js';
import { baseModelId, familyTraits } from '../../../lib/providers/bedrock/family.js';

describe('baseModelId', () => {
  it('strips the geography of cross-region inference profiles and the ARN around a profile id', () => {
    expect(baseModelId('us.anthropic.claude-3-5-sonnet-20241022-v2:0')).toBe(
      'anthropic.claude-3-5-sonnet-20241022-v2:0',
    );
    expect(baseModelId('global.anthropic.claude-sonnet-4-20250514-v1:0')).toBe(
      'anthropic.claude-sonnet-4-20250514-v1:0',
    );
    expect(
      baseModelId('arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.meta.llama3-2-11b-instruct-v1:0'),
    ).toBe('meta.llama3-2-11b-instruct-v1:0');
    expect(baseModelId('amazon.nova-pro-v1:0')).toBe('amazon.nova-pro-v1:0');
  });
});

describe('familyTraits', () => {
  it('knows families that take neither system prompts nor tools nor images', () => {
    expect(familyTraits('amazon.titan-text-express-v1')).toMatchObject({ system: false, tools: false, images: false });
    expect(familyTraits('mistral.mistral-7b-instruct-v0:2')).toMatchObject({ system: false, tools: false });
  });

  it('knows families that take tools through Converse but not ConverseStream, nor forced tool choice', () => {
    expect(familyTraits('us.meta.llama3-1-70b-instruct-v1:0')).toEqual({
      system: true,
      tools: true,
      streamingTools: false,
      forcedToolChoice: false,
      images: false,
    });
    expect(familyTraits('meta.llama3-2-90b-instruct-v1:0').images).toBe(true);
    expect(familyTraits('meta.llama3-2-3b-instruct-v1:0').tools).toBe(false);
  });

  it('takes a specific prefix before its family’s general one', () => {
    expect(familyTraits('amazon.nova-micro-v1:0').images).toBe(false);
    expect(familyTraits('amazon.nova-lite-v1:0').images).toBe(true);
    expect(familyTraits('anthropic.claude-3-5-haiku-20241022-v1:0').images).toBe(false);
    expect(familyTraits('anthropic.claude-3-haiku-20240307-v1:0').images).toBe(true);
  });

  it('assumes an unknown model can do everything and leaves the judgement to Bedrock', () => {
    expect(familyTraits('arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3')).toEqual({
      system: true,
      tools: true,
      streamingTools: true,
      forcedToolChoice: true,
      images: true,
    });
  });

  it('lets the catalog’s capabilities and input formats win over the table', () => {
    const entry = {
      model: 'anthropic.claude-3-haiku-20240307-v1:0',
      model_provider: 'anthropic',
      inference_provider: { provider: 'bedrock', model_name: 'anthropic.claude-3-haiku-20240307-v1:0' },
      type: 'completions',
      capabilities: [],
      input_formats: ['text'],
    } satisfies CatalogEntry;
    expect(familyTraits(entry.model, entry)).toMatchObject({
      system: true,
      tools: false,
      streamingTools: false,
      forcedToolChoice: false,
      images: false,
    });
  });
});
