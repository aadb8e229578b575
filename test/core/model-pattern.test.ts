import { describe, expect, it } from 'vitest';
import { matchesModelPattern, scopeAllows } from '../../lib/core/model-pattern.js';

describe('matchesModelPattern', () => {
  it.each([
    ['openai/*', 'openai/gpt-4o-mini', true],
    ['openai/*', 'openai/', true],
    ['openai/*', 'anthropic/claude-sonnet-4-5', false],
    ['anthropic/claude-*', 'anthropic/claude-sonnet-4-5', true],
    ['anthropic/claude-*', 'bedrock/anthropic.claude-3-haiku', false],
    ['acme/acme-large', 'acme/acme-large', true],
    ['acme/acme-large', 'acme/acme-large-2', false],
    ['*', 'anything/at-all', true],
    ['*/gpt-*-mini', 'openai/gpt-4o-mini', true],
    ['*/gpt-*-mini', 'azure/gpt-4o', false],
    ['a*b*c', 'aXXbYYbZZc', true],
    ['a*b*c', 'aXXbYYbZZ', false],
    ['bedrock/*:0', 'bedrock/amazon.nova-lite-v1:0', true],
    ['openai/gpt-4o', 'OPENAI/GPT-4O', false],
  ])('%s against %s: %s', (pattern, id, expected) => {
    expect(matchesModelPattern(pattern, id)).toBe(expected);
  });

  it('stays linear on a pathological pattern (no regular expression to blow up)', () => {
    const pattern = `${'*a'.repeat(50)}b`;
    expect(matchesModelPattern(pattern, 'a'.repeat(300))).toBe(false);
  });
});

describe('scopeAllows', () => {
  it('allows everything without a scope and nothing with an empty one', () => {
    expect(scopeAllows(null, 'openai/gpt-4o')).toBe(true);
    expect(scopeAllows(undefined, 'openai/gpt-4o')).toBe(true);
    expect(scopeAllows([], 'openai/gpt-4o')).toBe(false);
    expect(scopeAllows(['acme/*', 'openai/gpt-4o'], 'openai/gpt-4o')).toBe(true);
  });
});
