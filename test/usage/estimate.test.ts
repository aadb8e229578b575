import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChatRequest, Usage } from '../../lib/core/types.js';
import {
  estimatedUsage,
  estimateInputTokens,
  IMAGE_TOKENS,
  MAX_KEPT_CHARS,
  StreamedOutput,
  TOOL_CALL_TOKENS,
  tokenCounterFor,
} from '../../lib/usage/estimate.js';
import { bpeCounter, charsPerTokenRule, EXACT_COUNT_CHARS, type TokenCounter } from '../../lib/usage/token-counter.js';

const plain = { disallowedSpecial: new Set<string>() };

/**
 * o200k_base behind a counter that records what it was asked to tokenize: the work of a count is bounded by the
 * characters handed to the BPE and the longest slice among them (merging is quadratic in a piece's length), which
 * a test can assert without a clock.
 */
function recordingO200k() {
  const work = { chars: 0, longestSlice: 0 };
  const counter = bpeCounter('o200k_base', (text, options) => {
    work.chars += text.length;
    work.longestSlice = Math.max(work.longestSlice, text.length);
    return o200k(text, options);
  });
  return { counter, work };
}

/** Deterministic English-like prose: words, punctuation, newlines. */
function prose(chars: number): string {
  const words = 'the gateway streams tokens to clients while budgets hold, and usage rows are written once'.split(' ');
  let seed = 42;
  let text = '';
  while (text.length < chars) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    text += `${words[seed % words.length]}${seed % 11 === 0 ? '.\n' : seed % 5 === 0 ? ', ' : ' '}`;
  }
  return text.slice(0, chars);
}

/** A chat request as the openai SDK sends it: every message kind, an image, tools and a JSON schema answer. */
const request: ChatRequest = {
  model: 'gpt-4o',
  messages: [
    { role: 'system', content: 'You are a weather assistant. Answer in one sentence.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is the weather where this photo was taken?' },
        {
          type: 'image_url',
          image_url: { url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB', detail: 'high' },
        },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_abc123', content: '{"temperature_c":18,"conditions":"light rain"}' },
    { role: 'user', name: 'alice', content: 'And tomorrow?' },
  ],
  tools: [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Current weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    },
  ],
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'answer', schema: { type: 'object', properties: { text: { type: 'string' } } } },
  },
  stream: true,
};

describe('tokenCounterFor', () => {
  it.each([
    ['openai', 'gpt-4o', 'o200k_base'],
    ['openai', 'gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['openai', 'gpt-4.1-nano', 'o200k_base'],
    ['openai', 'gpt-5-mini', 'o200k_base'],
    ['openai', 'o1', 'o200k_base'],
    ['openai', 'o3-mini', 'o200k_base'],
    ['openai', 'o4-mini', 'o200k_base'],
    ['azure', 'my-prod-deployment', 'o200k_base'],
    ['openai', 'gpt-4', 'cl100k_base'],
    ['openai', 'gpt-4-0613', 'cl100k_base'],
    ['openai', 'gpt-4-turbo', 'cl100k_base'],
    ['openai', 'gpt-3.5-turbo', 'cl100k_base'],
    ['azure', 'gpt-35-turbo', 'cl100k_base'],
    ['anthropic', 'claude-sonnet-4-5', 'chars/3.5'],
    ['bedrock', 'us.anthropic.claude-3-5-haiku-20241022-v1:0', 'chars/3.5'],
    ['gemini', 'gemini-2.0-flash', 'chars/4'],
    ['groq', 'openai/gpt-oss-120b', 'chars/4'],
    ['acme', 'gpt-4o', 'chars/4'],
  ])('counts %s/%s with %s', async (provider, model, name) => {
    expect((await tokenCounterFor(provider, model)).name).toBe(name);
  });

  it('loads each encoding once per process', async () => {
    expect(await tokenCounterFor('openai', 'gpt-4o')).toBe(await tokenCounterFor('azure', 'gpt-5'));
  });

  it("counts as OpenAI's tokenizer does: 'Hello, world!' is 4 tokens in o200k_base", async () => {
    const counter = await tokenCounterFor('openai', 'gpt-4o');
    expect(counter.count('Hello, world!')).toBe(4);
    expect(counter.count('')).toBe(0);
  });

  it('uses the encoding of the model: gpt-4o and gpt-4 count the same text differently', async () => {
    const text = '    def estimate(self):\n        return {"中文": 1, "日本語": 2}\n';
    expect(o200k(text, plain)).not.toBe(cl100k(text, plain));
    expect((await tokenCounterFor('openai', 'gpt-4o')).count(text)).toBe(o200k(text, plain));
    expect((await tokenCounterFor('openai', 'gpt-4')).count(text)).toBe(cl100k(text, plain));
  });

  it('counts special-token text as plain text instead of throwing', async () => {
    const counter = await tokenCounterFor('openai', 'gpt-4o');
    expect(counter.count('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('counts long whitespace-separated text exactly, slice by slice', async () => {
    const text = prose(EXACT_COUNT_CHARS);
    expect((await tokenCounterFor('openai', 'gpt-4o')).count(text)).toBe(o200k(text, plain));
  });

  it('samples text past the exact budget: 1 MB of prose within 2% of the exact count, tokenizing a sample', () => {
    const { counter, work } = recordingO200k();
    const text = prose(1_000_000);
    const exact = o200k(text, plain);
    const estimate = counter.count(text);
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.02);
    expect(work.chars).toBeLessThanOrEqual(EXACT_COUNT_CHARS * 1.1);
    expect(work.longestSlice).toBeLessThanOrEqual(512);
  });

  it('bounds the work on a run without whitespace (300,000 CJK characters take minutes unsliced)', async () => {
    const { counter, work } = recordingO200k();
    let text = '';
    for (let i = 0; text.length < 300_000; i++) text += String.fromCharCode(0x4e00 + ((i * 7919) % 2000));
    const estimate = counter.count(text);
    expect(work.longestSlice).toBeLessThanOrEqual(512);
    expect(work.chars).toBeLessThanOrEqual(EXACT_COUNT_CHARS * 1.1);
    expect(estimate).toBeGreaterThan(200_000);
  });
});

describe('charsPerTokenRule', () => {
  it('counts Latin text at 4 characters per token, rounded up', () => {
    const rule = charsPerTokenRule(4);
    expect(rule.count('Hello, world!')).toBe(4);
    expect(rule.count('x'.repeat(400))).toBe(100);
    expect(rule.count('café déjà vu')).toBe(3);
    expect(rule.count('')).toBe(0);
  });

  it('counts Claude models at 3.5 characters per token', async () => {
    const counter = await tokenCounterFor('anthropic', 'claude-3-5-haiku-20241022');
    expect(counter.count('x'.repeat(35))).toBe(10);
    expect(charsPerTokenRule(4).count('x'.repeat(35))).toBe(9);
  });

  it('counts CJK and other non-Latin characters as one token each', () => {
    const rule = charsPerTokenRule(4);
    expect(rule.count('你好世界')).toBe(4);
    expect(rule.count('こんにちは')).toBe(5);
    expect(rule.count('Привет')).toBe(6);
    expect(rule.count('Hi 你好')).toBe(1 + 2);
    expect(rule.count('😀')).toBe(1);
  });
});

describe('estimateInputTokens', () => {
  it('counts every message, the image, the tool call, the tools and the response schema', async () => {
    const counter = await tokenCounterFor('openai', 'gpt-4o');
    const texts = [
      'system',
      'You are a weather assistant. Answer in one sentence.',
      'user',
      'What is the weather where this photo was taken?',
      'assistant',
      'get_weather',
      '{"city":"Paris"}',
      'tool',
      '{"temperature_c":18,"conditions":"light rain"}',
      'user',
      'alice',
      'And tomorrow?',
      JSON.stringify(request.tools?.[0]?.function),
      JSON.stringify({ name: 'answer', schema: { type: 'object', properties: { text: { type: 'string' } } } }),
    ];
    const textTokens = texts.reduce((sum, text) => sum + o200k(text, plain), 0);
    const framing = 3 + 5 * 3 + 1; // reply priming, 5 messages, one name
    expect(estimateInputTokens(request, counter)).toBe(textTokens + framing + IMAGE_TOKENS + TOOL_CALL_TOKENS);
    expect(IMAGE_TOKENS).toBe(765);
  });

  it('grows with the tools and falls back to the chars rule for other providers', async () => {
    const counter = await tokenCounterFor('openai', 'gpt-4o');
    const withoutTools = estimateInputTokens({ ...request, tools: undefined }, counter);
    const toolText = JSON.stringify(request.tools?.[0]?.function);
    expect(estimateInputTokens(request, counter) - withoutTools).toBe(o200k(toolText, plain));
    const claude = estimateInputTokens(request, await tokenCounterFor('anthropic', 'claude-sonnet-4-5'));
    expect(claude).toBeGreaterThan(IMAGE_TOKENS);
  });

  it('is never negative or NaN, whatever the request or counter holds', () => {
    const junk = {
      model: 'x',
      messages: [
        { role: 'user', content: null },
        { role: 'user', content: [null, 7, { type: 'text' }, { type: 'input_audio' }] },
        { role: 'assistant', tool_calls: [{ id: 'c', type: 'function' }] },
      ],
      tools: null,
    } as unknown as ChatRequest;
    const broken: TokenCounter = { name: 'broken', count: () => Number.NaN };
    const negative: TokenCounter = { name: 'negative', count: () => -5 };
    for (const counter of [broken, negative, charsPerTokenRule(4)]) {
      const tokens = estimateInputTokens(junk, counter);
      expect(Number.isInteger(tokens) && tokens >= 0).toBe(true);
    }
    expect(estimateInputTokens({ model: 'x' } as unknown as ChatRequest, broken)).toBe(3);
  });

  it('estimates a 1 MB prompt with bounded work', () => {
    const { counter, work } = recordingO200k();
    const big: ChatRequest = {
      model: 'gpt-4o',
      messages: Array.from({ length: 40 }, (_, i) => ({ role: 'user' as const, content: prose(25_000 + i) })),
    };
    const exact = big.messages.reduce((sum, m) => sum + o200k(m.content as string, plain) + o200k('user', plain), 0);
    const estimate = estimateInputTokens(big, counter);
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.02);
    expect(work.longestSlice).toBeLessThanOrEqual(512);
  });
});

const contentChunk = (content: string): ChatChunk => ({
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});

/** A stream as the providers surface it: Anthropic-style usage first, reasoning, text, then two tool calls. */
const chunks: ChatChunk[] = [
  {
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    usage: { inputTokens: 1200, outputTokens: 1, cacheReadTokens: 1000, cacheWriteTokens: 0 },
  },
  { choices: [{ index: 0, delta: { reasoning_content: 'The user wants ' } as never, finish_reason: null }] },
  { choices: [{ index: 0, delta: { reasoning: 'the weather in Paris.' } as never, finish_reason: null }] },
  contentChunk('Let me '),
  contentChunk('check.'),
  {
    choices: [
      {
        index: 0,
        delta: {
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }],
        },
        finish_reason: null,
      },
    ],
  },
  {
    choices: [
      { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish_reason: null },
    ],
  },
  {
    choices: [
      { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, finish_reason: null },
    ],
  },
  {
    choices: [
      {
        index: 0,
        delta: {
          tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }],
        },
        finish_reason: null,
      },
    ],
  },
];

describe('StreamedOutput', () => {
  it('has no content until text, reasoning or a tool call arrives', () => {
    const output = new StreamedOutput();
    output.add(chunks[0] as ChatChunk);
    expect(output.hasContent).toBe(false);
    output.add(contentChunk('x'));
    expect(output.hasContent).toBe(true);
  });

  it('counts streamed text, reasoning and tool calls', async () => {
    const counter = await tokenCounterFor('openai', 'gpt-4o');
    const output = new StreamedOutput();
    for (const chunk of chunks) output.add(chunk);
    const expected =
      o200k('Let me check.', plain) +
      o200k('The user wants the weather in Paris.', plain) +
      o200k('get_weather{"city":"Paris"}get_time{}', plain) +
      2 * TOOL_CALL_TOKENS;
    expect(output.estimateTokens(counter)).toBe(expected);
    expect(output.estimateReasoningTokens(counter)).toBe(o200k('The user wants the weather in Paris.', plain));
    expect(output.reportedUsage?.inputTokens).toBe(1200);
  });

  it('keeps at most MAX_KEPT_CHARS per kind and extrapolates the rest', () => {
    const output = new StreamedOutput();
    const piece = 'abcd'.repeat(1024);
    for (let sent = 0; sent < 2 * MAX_KEPT_CHARS; sent += piece.length) output.add(contentChunk(piece));
    expect(output.estimateTokens(charsPerTokenRule(4))).toBe((2 * MAX_KEPT_CHARS) / 4);
  });
});

describe('estimatedUsage', () => {
  it("prefers the provider's reported input, with its cache reads", async () => {
    const counter = await tokenCounterFor('anthropic', 'claude-sonnet-4-5');
    const output = new StreamedOutput();
    for (const chunk of chunks) output.add(chunk);
    const usage = estimatedUsage(output.reportedUsage, 50, output, counter);
    expect(usage).toEqual({
      inputTokens: 1200,
      outputTokens: output.estimateTokens(counter),
      cacheReadTokens: 1000,
      cacheWriteTokens: 0,
      reasoningTokens: output.estimateReasoningTokens(counter),
    });
    expect(usage.outputTokens).toBeGreaterThan(1);
  });

  it('uses the input estimate when the provider reported nothing', async () => {
    const counter = await tokenCounterFor('openai', 'gpt-4o');
    const output = new StreamedOutput();
    output.add(contentChunk('Bonjour'));
    expect(estimatedUsage(undefined, 321, output, counter)).toEqual({
      inputTokens: 321,
      outputTokens: o200k('Bonjour', plain),
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });

  it('keeps a reported output larger than the estimate', () => {
    const output = new StreamedOutput();
    output.add(contentChunk('ok'));
    const reported: Usage = { inputTokens: 10, outputTokens: 250, cacheReadTokens: 0, cacheWriteTokens: 0 };
    expect(estimatedUsage(reported, 99, output, charsPerTokenRule(4)).outputTokens).toBe(250);
  });
});
