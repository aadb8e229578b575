import { describe, expect, it } from 'vitest';
import type { PricePeriod } from '../../lib/catalog.js';
import { findPricedEntry, priceFor, ratesFor, selectPeriod } from '../../lib/pricing/index.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe('priceFor: valid_from', () => {
  it('takes the latest period not after the date (o3 was cut 80% on 2025-06-10)', () => {
    expect(priceFor('openai', 'o3', day('2025-06-09'))?.per_input_token).toBe(10);
    expect(priceFor('openai', 'o3', new Date('2025-06-09T23:59:59.999Z'))?.per_input_token).toBe(10);
    expect(priceFor('openai', 'o3', day('2025-06-10'))?.per_input_token).toBe(2);
    expect(priceFor('openai', 'o3', NOW)?.per_cached_input_token).toBe(0.5);
  });

  it('walks through several price changes (DeepSeek)', () => {
    const input = (iso: string) => priceFor('deepseek', 'deepseek-chat', day(iso))?.per_input_token;
    expect([input('2025-03-01'), input('2025-09-05'), input('2025-09-28'), input('2025-09-29')]).toEqual([
      0.27, 0.56, 0.56, 0.28,
    ]);
  });

  it('has no price before the first period, rather than guessing', () => {
    expect(priceFor('openai', 'o3', day('2025-04-15'))).toBeUndefined();
    expect(priceFor('openai', 'o3', new Date('not a date'))).toBeUndefined();
  });

  it('lets a later-listed period win on the same day, and treats a period without valid_from as always in force', () => {
    const a: PricePeriod = { per_input_token: 1, per_output_token: 1, valid_from: '2025-01-01' };
    const b: PricePeriod = { per_input_token: 2, per_output_token: 2, valid_from: '2025-01-01' };
    const open: PricePeriod = { per_input_token: 3, per_output_token: 3 };
    expect(selectPeriod([a, b], day('2025-01-01'))).toBe(b);
    expect(selectPeriod([open, a], day('2024-01-01'))).toBe(open);
    expect(selectPeriod([open, a], day('2025-02-01'))).toBe(a);
    expect(selectPeriod([], NOW)).toBeUndefined();
  });
});

describe('priceFor: names', () => {
  it('resolves aliases and dated snapshots to their entry', () => {
    const snapshot = priceFor('openai', 'gpt-4o-2024-08-06', NOW);
    expect(priceFor('openai', 'GPT-4o-2024-11-20', NOW)).toBe(snapshot);
    expect(priceFor('openai', 'gpt-4o-mini-2031-01-01', NOW)).toBe(priceFor('openai', 'gpt-4o-mini', NOW));
    expect(priceFor('anthropic', 'claude-sonnet-4-5-20250929', NOW)).toBe(
      priceFor('anthropic', 'claude-sonnet-4-5', NOW),
    );
    expect(priceFor('anthropic', 'claude-3-5-haiku-latest', NOW)?.per_input_token).toBe(0.8);
  });

  it('keeps a snapshot with its own price apart from its family', () => {
    expect(priceFor('openai', 'gpt-4o-2024-05-13', NOW)?.per_input_token).toBe(5);
    expect(priceFor('openai', 'gpt-4o', NOW)?.per_input_token).toBe(2.5);
  });

  it('prices a moving alias as the snapshot it pointed to that day', () => {
    // `gpt-4o` meant gpt-4o-2024-05-13 ($5 / $15) until 2024-10-02, while gpt-4o-2024-08-06 already cost $2.50 / $10.
    const september = new Date('2024-09-15T12:00:00Z');
    expect(priceFor('openai', 'gpt-4o', september)?.per_input_token).toBe(5);
    expect(priceFor('openai', 'gpt-4o-2024-08-06', september)?.per_input_token).toBe(2.5);
    expect(priceFor('openai', 'gpt-4o', new Date('2024-10-02T00:00:00Z'))?.per_input_token).toBe(2.5);
  });

  it("prices o1-mini at its launch price until the cut that came with o3-mini's launch", () => {
    expect(priceFor('openai', 'o1-mini', new Date('2024-12-01T00:00:00Z'))?.per_output_token).toBe(12);
    expect(priceFor('openai', 'o1-mini', new Date('2025-01-31T00:00:00Z'))?.per_output_token).toBe(4.4);
  });

  it("resolves Gemini's version suffixes and models/ prefix, on the Gemini API and Vertex AI", () => {
    expect(priceFor('gemini', 'gemini-2.0-flash-001', NOW)?.per_input_token).toBe(0.1);
    expect(priceFor('gemini', 'models/gemini-2.0-flash', NOW)?.per_input_token).toBe(0.1);
    expect(priceFor('gemini', 'gemini-2.5-flash-002', NOW)?.per_input_token).toBe(0.3);
    expect(priceFor('vertex-ai', 'gemini-2.0-flash-001', NOW)?.per_input_token).toBe(0.15);
  });

  it('prices Bedrock inference profiles and ARNs as their foundation model, global profiles on their own', () => {
    const base = priceFor('bedrock', 'anthropic.claude-3-haiku-20240307-v1:0', NOW);
    expect(base?.per_input_token).toBe(0.25);
    expect(priceFor('bedrock', 'apac.anthropic.claude-3-haiku-20240307-v1:0', NOW)).toEqual(base);
    expect(priceFor('bedrock', 'ca.anthropic.claude-3-haiku-20240307-v1:0', NOW)).toBe(base);
    const arn = 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0';
    expect(priceFor('bedrock', arn, NOW)).toEqual(base);
    expect(priceFor('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', NOW)?.per_input_token).toBe(3.3);
    expect(priceFor('bedrock', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', NOW)?.per_input_token).toBe(3);
  });

  it('prices Azure deployments as the OpenAI model of the same name', () => {
    expect(priceFor('azure', 'gpt-4o', NOW)).toBe(priceFor('openai', 'gpt-4o', NOW));
    expect(priceFor('azure', 'gpt-4.1-mini-2025-04-14', NOW)?.per_input_token).toBe(0.4);
    expect(findPricedEntry('azure', 'gpt-4o')?.inference_provider.provider).toBe('openai');
    expect(priceFor('azure', 'my-team-deployment', NOW)).toBeUndefined();
  });

  it('prices the built-in OpenAI-compatible providers by their own model ids', () => {
    expect(priceFor('groq', 'llama-3.1-8b-instant', NOW)?.per_input_token).toBe(0.05);
    expect(priceFor('groq', 'llama-3.1-8b-instant', NOW)?.per_cached_input_token).toBeUndefined();
    expect(priceFor('xai', 'grok-code-fast-1', NOW)?.per_output_token).toBe(1.5);
  });

  it('is undefined for a model or provider the catalog does not know', () => {
    expect(priceFor('openai', 'gpt-unknown', NOW)).toBeUndefined();
    expect(priceFor('acme', 'gpt-4o', NOW)).toBeUndefined();
    expect(priceFor('anthropic', 'gpt-4o', NOW)).toBeUndefined();
  });
});

describe('ratesFor', () => {
  const period: PricePeriod = {
    per_input_token: 1,
    per_output_token: 2,
    per_cached_input_token: 0.1,
    tiers: [
      { above_input_tokens: 100, per_input_token: 3, per_cached_input_token: 0.3 },
      { above_input_tokens: 10, per_input_token: 2, per_cached_input_token: 0.2 },
    ],
  };

  it('takes the highest tier the prompt is above, whatever the listing order', () => {
    expect(ratesFor(period, 10)).toEqual({ input: 1, output: 2, cacheRead: 0.1, cacheWrite: 1 });
    expect(ratesFor(period, 11)).toEqual({ input: 2, output: 2, cacheRead: 0.2, cacheWrite: 2 });
    expect(ratesFor(period, 101)).toEqual({ input: 3, output: 2, cacheRead: 0.3, cacheWrite: 3 });
  });
});
