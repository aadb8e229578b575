import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../../lib/core/types.js';
import { convertMessages, imageBlock } from '../../../lib/providers/anthropic/messages.js';
import { toRequest } from '../../../lib/providers/anthropic/request.js';
import { jsonFixture, testContext } from './helpers.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('convertMessages', () => {
  it('moves every system and developer message into system, in order, wherever it stood', () => {
    const { system, messages } = convertMessages([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      { role: 'assistant', content: 'Bonjour' },
      { role: 'system', content: 'Never use emoji.' },
      { role: 'user', content: 'Ça va?' },
    ]);
    expect(system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Answer in French.' },
      { type: 'text', text: 'Never use emoji.' },
    ]);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('merges consecutive turns of one role into one turn', () => {
    const { messages } = convertMessages([
      { role: 'user', content: 'First' },
      { role: 'user', content: [{ type: 'text', text: 'Second' }] },
      { role: 'assistant', content: 'A' },
      { role: 'assistant', content: 'B' },
    ]);
    expect(messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'First' },
          { type: 'text', text: 'Second' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'A' },
          { type: 'text', text: 'B' },
        ],
      },
    ]);
  });

  it('turns parallel tool results into one user turn of tool_result blocks (the documented parallel history)', () => {
    const openai = jsonFixture<ChatRequest>('request-parallel-results.openai.json');
    const expected = jsonFixture('request-parallel-results.anthropic.json');
    expect(toRequest(openai, testContext()).body).toEqual(expected);
  });

  it('puts tool results before user text that follows them in the same turn', () => {
    const { messages } = convertMessages([
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', tool_calls: [{ id: 't1', type: 'function', function: { name: 'w', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: 'Sunny' }] },
      { role: 'user', content: 'Thanks, and tomorrow?' },
    ]);
    expect(messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'Sunny' }] },
        { type: 'text', text: 'Thanks, and tomorrow?' },
      ],
    });
  });

  it('sends an empty tool result without content, since Anthropic rejects empty text', () => {
    const { messages } = convertMessages([
      { role: 'user', content: 'Go' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '' } }],
      },
      { role: 'tool', tool_call_id: 't1', content: '' },
    ]);
    expect(messages[1]?.content).toEqual([{ type: 'tool_use', id: 't1', name: 'f', input: {} }]);
    expect(messages[2]?.content).toEqual([{ type: 'tool_result', tool_use_id: 't1' }]);
  });

  it('rejects tool call arguments that are not JSON with a 400 naming the message', () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'Go' },
      { role: 'assistant', tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":' } }] },
    ];
    expect(() => convertMessages(history)).toThrow(
      expect.objectContaining({ status: 400, param: 'messages[1].tool_calls[0].function.arguments' }),
    );
  });

  it('rejects tool call arguments that are JSON but not an object', () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'Go' },
      { role: 'assistant', tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '[1]' } }] },
    ];
    expect(() => convertMessages(history)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('sends data: images as base64 sources and https: images as url sources', () => {
    const { messages } = convertMessages([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: 'https://upload.wikimedia.org/cat.jpg', detail: 'high' } },
        ],
      },
    ]);
    expect(messages[0]?.content).toEqual([
      { type: 'text', text: 'Compare these.' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'image', source: { type: 'url', url: 'https://upload.wikimedia.org/cat.jpg' } },
    ]);
  });

  it('rejects image types Claude cannot read and URLs that are neither data: nor http(s):', () => {
    expect(() => imageBlock('data:image/bmp;base64,AAAA', 'p')).toThrow(expect.objectContaining({ param: 'p' }));
    expect(() => imageBlock('data:image/png,rawbytes', 'p')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => imageBlock('ftp://example.com/a.png', 'p')).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('rejects audio and file parts with a 400 naming the part', () => {
    const audio: ChatMessage = {
      role: 'user',
      content: [
        { type: 'text', text: 'Listen' },
        { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
      ],
    };
    expect(() => convertMessages([audio])).toThrow(
      expect.objectContaining({ status: 400, param: 'messages[0].content[1]' }),
    );
    const file: ChatMessage = { role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] };
    expect(() => convertMessages([{ role: 'system', content: 's' }, file])).toThrow(
      expect.objectContaining({ param: 'messages[1].content[0]' }),
    );
  });

  it('rejects a conversation with no user, assistant or tool message', () => {
    expect(() => convertMessages([{ role: 'system', content: 'Only this.' }])).toThrow(
      expect.objectContaining({ status: 400, param: 'messages' }),
    );
  });
});
