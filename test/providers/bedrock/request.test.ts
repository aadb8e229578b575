import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest, ContentPart, FunctionTool } from '../../../lib/core/types.js';
import { familyTraits } from '../../../lib/providers/bedrock/family.js';
import { toRequest } from '../../../lib/providers/bedrock/request.js';
import { fixture, testContext } from './helpers.js';

const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';

async function convert(req: Partial<ChatRequest> & { messages: ChatMessage[] }, model = CLAUDE) {
  const { ctx, ignored } = testContext();
  const full: ChatRequest = { model, ...req };
  const body = await toRequest(full, ctx, familyTraits(model));
  return { body, ignored };
}

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { status: number; param: string | null; message: string };
  }
  throw new Error('expected a rejection');
}

const topSong: FunctionTool = {
  type: 'function',
  function: {
    name: 'top_song',
    description: 'Get the most popular song played on a radio station.',
    parameters: { type: 'object', properties: { sign: { type: 'string' } }, required: ['sign'] },
  },
};

const user = (content: string | ContentPart[]): ChatMessage => ({ role: 'user', content });

describe('toRequest', () => {
  it('converts a tool round trip to the Converse wire body', async () => {
    const { openai, bedrock } = fixture<{ openai: ChatRequest; bedrock: Record<string, unknown> }>(
      'converse-request-tool-round-trip.json',
    );
    const { body } = await convert(openai);
    expect(body).toEqual({ modelId: CLAUDE, ...bedrock });
  });

  it('puts system and developer messages in system blocks and merges consecutive turns of one role', async () => {
    const { body } = await convert({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
        user('Hello'),
        user([{ type: 'text', text: 'Are you there?' }]),
        { role: 'assistant', content: 'Yes.' },
        { role: 'assistant', content: 'How can I help?' },
        user('Tell me a joke.'),
      ],
    });
    expect(body.system).toEqual([{ text: 'Be brief.' }, { text: 'Answer in English.' }]);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'Hello' }, { text: 'Are you there?' }] },
      { role: 'assistant', content: [{ text: 'Yes.' }, { text: 'How can I help?' }] },
      { role: 'user', content: [{ text: 'Tell me a joke.' }] },
    ]);
  });

  it('drops blank text, which Bedrock rejects, and sends no system when there is none', async () => {
    const { body } = await convert({
      messages: [
        user('Hi'),
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'top_song', arguments: '' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'none' },
      ],
      tools: [topSong],
    });
    expect(body.system).toBeUndefined();
    expect(body.messages?.[1]).toEqual({
      role: 'assistant',
      content: [{ toolUse: { toolUseId: 'call_1', name: 'top_song', input: {} } }],
    });
  });

  it('sends results of parallel tool calls in one user turn, before the user text that follows', async () => {
    const { body } = await convert({
      messages: [
        user('Songs on WZPZ and WKRP?'),
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } },
            { id: 'b', type: 'function', function: { name: 'top_song', arguments: '{"sign":"WKRP"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'a', content: 'Elemental Hotel' },
        { role: 'tool', tool_call_id: 'b', content: [{ type: 'text', text: 'Sky Pilot' }] },
        user('Thanks, and which is older?'),
      ],
      tools: [topSong],
    });
    expect(body.messages?.[2]).toEqual({
      role: 'user',
      content: [
        { toolResult: { toolUseId: 'a', content: [{ text: 'Elemental Hotel' }] } },
        { toolResult: { toolUseId: 'b', content: [{ text: 'Sky Pilot' }] } },
        { text: 'Thanks, and which is older?' },
      ],
    });
  });

  it('keeps tool results beyond the previous turn’s tool calls as text, so toolResult never outnumbers toolUse', async () => {
    const { body } = await convert({
      messages: [
        user('Song on WZPZ?'),
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'a', type: 'function', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } }],
        },
        { role: 'tool', tool_call_id: 'a', content: 'Elemental Hotel' },
        { role: 'tool', tool_call_id: 'a', content: 'Elemental Hotel (again)' },
        { role: 'tool', tool_call_id: 'trimmed_from_history', content: 'Sky Pilot' },
      ],
      tools: [topSong],
    });
    const resultTurn = body.messages?.[2]?.content ?? [];
    const toolUses = (body.messages?.[1]?.content ?? []).filter((block) => block.toolUse);
    expect(resultTurn.filter((block) => block.toolResult)).toHaveLength(toolUses.length);
    expect(resultTurn).toEqual([
      { toolResult: { toolUseId: 'a', content: [{ text: 'Elemental Hotel' }] } },
      { text: '[result of tool call a]: Elemental Hotel (again)' },
      { text: '[result of tool call trimmed_from_history]: Sky Pilot' },
    ]);
  });

  it('leaves out an empty tool description, which Bedrock rejects', async () => {
    const { body } = await convert({
      messages: [user('Hi')],
      tools: [{ type: 'function', function: { name: 'ping', description: '', parameters: { type: 'object' } } }],
    });
    expect(body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'ping', inputSchema: { json: { type: 'object' } } } }],
    });
  });

  it('gives a tool without parameters an empty object schema', async () => {
    const { body } = await convert({
      messages: [user('Hi')],
      tools: [{ type: 'function', function: { name: 'now' } }],
    });
    expect(body.toolConfig?.tools?.[0]).toEqual({
      toolSpec: { name: 'now', inputSchema: { json: { type: 'object', properties: {} } } },
    });
  });

  it('drops tool_choice and parallel_tool_calls sent without tools instead of sending Bedrock a 400', async () => {
    const { body, ignored } = await convert({
      messages: [user('Hi')],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
    expect(body.toolConfig).toBeUndefined();
    expect(ignored).toEqual(['tool_choice', 'parallel_tool_calls']);
  });

  it('maps tool_choice required to any and a named function to tool', async () => {
    const required = await convert({ messages: [user('Hi')], tools: [topSong], tool_choice: 'required' });
    expect(required.body.toolConfig?.toolChoice).toEqual({ any: {} });
    const named = await convert({
      messages: [user('Hi')],
      tools: [topSong],
      tool_choice: { type: 'function', function: { name: 'top_song' } },
    });
    expect(named.body.toolConfig?.toolChoice).toEqual({ tool: { name: 'top_song' } });
  });

  it('sends no tools for tool_choice none and writes past tool calls as text, since Bedrock needs toolConfig for them', async () => {
    const { body } = await convert({
      messages: [
        user('Song on WZPZ?'),
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'a', type: 'function', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } }],
        },
        { role: 'tool', tool_call_id: 'a', content: 'Elemental Hotel' },
      ],
      tools: [topSong],
      tool_choice: 'none',
    });
    expect(body.toolConfig).toBeUndefined();
    expect(body.messages?.slice(1)).toEqual([
      { role: 'assistant', content: [{ text: '[called tool top_song (a) with {"sign":"WZPZ"}]' }] },
      { role: 'user', content: [{ text: '[result of tool call a]: Elemental Hotel' }] },
    ]);
  });

  it('answers 400 naming the field for what the model family cannot take', async () => {
    const tools = await rejection(
      convert({ messages: [user('Hi')], tools: [topSong] }, 'amazon.titan-text-express-v1'),
    );
    expect(tools).toMatchObject({ status: 400, param: 'tools' });
    const system = await rejection(
      convert({ messages: [{ role: 'system', content: 'Be brief.' }, user('Hi')] }, 'amazon.titan-text-premier-v1:0'),
    );
    expect(system).toMatchObject({ status: 400, param: 'messages[0].role' });
    const image = await rejection(
      convert(
        { messages: [user([{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }])] },
        'us.meta.llama3-1-70b-instruct-v1:0',
      ),
    );
    expect(image).toMatchObject({ status: 400, param: 'messages[0].content[0]' });
    const forced = await rejection(
      convert({ messages: [user('Hi')], tools: [topSong], tool_choice: 'required' }, 'meta.llama3-1-70b-instruct-v1:0'),
    );
    expect(forced).toMatchObject({ status: 400, param: 'tool_choice' });
  });

  it('answers 400 for a named tool_choice that is not among the tools', async () => {
    const error = await rejection(
      convert({ messages: [user('Hi')], tools: [topSong], tool_choice: { type: 'function', function: { name: 'x' } } }),
    );
    expect(error).toMatchObject({ status: 400, param: 'tool_choice' });
  });

  it('forces the shared JSON tool for response_format json_schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const { body } = await convert({
      messages: [user('Where is the Eiffel Tower?')],
      response_format: { type: 'json_schema', json_schema: { name: 'place', schema } },
    });
    expect(body.toolConfig?.toolChoice).toEqual({ tool: { name: 'json_response' } });
    expect(body.toolConfig?.tools).toHaveLength(1);
    expect(body.toolConfig?.tools?.[0]?.toolSpec).toMatchObject({
      name: 'json_response',
      inputSchema: { json: schema },
    });
  });

  it('offers the JSON tool beside the caller’s tools and requires one of them', async () => {
    const { body } = await convert({
      messages: [user('Hi')],
      tools: [topSong],
      response_format: { type: 'json_object' },
    });
    expect(body.toolConfig?.tools?.map((tool) => tool.toolSpec?.name)).toEqual(['top_song', 'json_response']);
    expect(body.toolConfig?.toolChoice).toEqual({ any: {} });
  });

  it('answers 400 naming response_format on a family that cannot be forced to use a tool', async () => {
    const error = await rejection(
      convert({ messages: [user('Hi')], response_format: { type: 'json_object' } }, 'meta.llama3-1-8b-instruct-v1:0'),
    );
    expect(error).toMatchObject({ status: 400, param: 'response_format' });
  });

  it('converts a data URL image to an image block with format and bytes', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const { body } = await convert({
      messages: [
        user([
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
        ]),
      ],
    });
    const [text, image] = body.messages?.[0]?.content ?? [];
    expect(text).toEqual({ text: 'What is this?' });
    expect(image?.image?.format).toBe('png');
    expect(Buffer.from(image?.image?.source?.bytes ?? []).equals(png)).toBe(true);
  });

  it('answers 400 for an image type Bedrock cannot read and for audio parts', async () => {
    const bmp = await rejection(
      convert({ messages: [user([{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }])] }),
    );
    expect(bmp).toMatchObject({ status: 400, param: 'messages[0].content[0].image_url.url' });
    const audio = await rejection(
      convert({ messages: [user([{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }])] }),
    );
    expect(audio).toMatchObject({ status: 400, param: 'messages[0].content[0]' });
  });

  it('answers 400 for tool call arguments that are not JSON', async () => {
    const error = await rejection(
      convert({
        messages: [
          user('Hi'),
          {
            role: 'assistant',
            tool_calls: [{ id: 'a', type: 'function', function: { name: 'top_song', arguments: '{"sign":' } }],
          },
        ],
        tools: [topSong],
      }),
    );
    expect(error).toMatchObject({ status: 400, param: 'messages[1].tool_calls[0].function.arguments' });
  });

  it('answers 400 naming n and logprobs, which Bedrock cannot honour', async () => {
    expect(await rejection(convert({ messages: [user('Hi')], n: 2 }))).toMatchObject({ status: 400, param: 'n' });
    expect(await rejection(convert({ messages: [user('Hi')], logprobs: true }))).toMatchObject({
      status: 400,
      param: 'logprobs',
    });
  });

  it('drops hints Converse has no field for and lists them as ignored', async () => {
    const { body, ignored } = await convert({
      messages: [user('Hi')],
      seed: 7,
      user: 'u-1',
      metadata: { team: 'a' },
      frequency_penalty: 0.5,
      presence_penalty: 0.1,
      n: 1,
    });
    expect(ignored).toEqual(['seed', 'user', 'metadata', 'frequency_penalty', 'presence_penalty']);
    expect(Object.keys(body).sort()).toEqual(['messages', 'modelId']);
  });

  it('maps max_completion_tokens (over max_tokens), temperature, top_p and stop to inferenceConfig', async () => {
    const { body } = await convert({
      messages: [user('Hi')],
      max_tokens: 100,
      max_completion_tokens: 200,
      temperature: 0,
      top_p: 1,
      stop: 'END',
    });
    expect(body.inferenceConfig).toEqual({ maxTokens: 200, temperature: 0, topP: 1, stopSequences: ['END'] });
    const empty = await convert({ messages: [user('Hi')], stop: [''] });
    expect(empty.body.inferenceConfig).toBeUndefined();
  });
});
