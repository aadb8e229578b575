import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../lib/core/types.js';
import {
  needsThoughtSignature,
  SKIP_THOUGHT_SIGNATURE,
  toFunctionResponse,
  toGeminiContents,
} from '../../../lib/providers/gemini/messages.js';
import { Simulator } from '../../../simulators/base.js';

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const options = { model: 'gemini-2.0-flash', signal: new AbortController().signal };

describe('toGeminiContents', () => {
  it('moves system and developer messages into systemInstruction and renames assistant to model', async () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      { role: 'user', content: [{ type: 'text', text: 'How are you?' }] },
    ];
    expect(await toGeminiContents(messages, options)).toEqual({
      systemInstruction: { parts: [{ text: 'You are terse.' }, { text: 'Answer in French.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello.' }] },
        { role: 'user', parts: [{ text: 'How are you?' }] },
      ],
    });
  });

  it('round-trips tool calls: functionCall parts, then one user turn of functionResponses named by tool_call_id', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Weather in Paris and Tokyo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '10:00' },
      { role: 'tool', tool_call_id: 'call_0', content: '{"temp":21,"sky":"clear"}' },
      { role: 'user', content: 'Thanks' },
    ];
    const { contents } = await toGeminiContents(messages, options);
    expect(contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Tokyo?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_time', response: { output: '10:00' } } },
          { functionResponse: { name: 'get_weather', response: { temp: 21, sky: 'clear' } } },
        ],
      },
      { role: 'user', parts: [{ text: 'Thanks' }] },
    ]);
  });

  it('matches a reused tool call id to the latest assistant message that made it', async () => {
    const call = (name: string) => ({ id: 'call_0', type: 'function' as const, function: { name, arguments: '{}' } });
    const messages: ChatMessage[] = [
      { role: 'user', content: 'go' },
      { role: 'assistant', tool_calls: [call('first')] },
      { role: 'tool', tool_call_id: 'call_0', content: 'a' },
      { role: 'assistant', tool_calls: [call('second')] },
      { role: 'tool', tool_call_id: 'call_0', content: 'b' },
    ];
    const { contents } = await toGeminiContents(messages, options);
    expect(contents[4]?.parts[0]?.functionResponse?.name).toBe('second');
  });

  it('adds the documented thought-signature stand-in to replayed calls for Gemini 3 models only', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'go' },
      { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c', content: 'ok' },
    ];
    const gemini3 = await toGeminiContents(messages, { ...options, model: 'gemini-3-pro-preview' });
    expect(gemini3.contents[1]?.parts[0]).toEqual({
      functionCall: { name: 'f', args: {} },
      thoughtSignature: SKIP_THOUGHT_SIGNATURE,
    });
    const gemini2 = await toGeminiContents(messages, options);
    expect(gemini2.contents[1]?.parts[0]).toEqual({ functionCall: { name: 'f', args: {} } });
    expect(needsThoughtSignature('gemini-3.1-flash-lite')).toBe(true);
    expect(needsThoughtSignature('gemini-2.5-pro')).toBe(false);
  });

  it('refuses a tool message whose tool_call_id no assistant message made', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'go' },
      { role: 'tool', tool_call_id: 'nope', content: 'x' },
    ];
    await expect(toGeminiContents(messages, options)).rejects.toMatchObject({
      status: 400,
      param: 'messages[1].tool_call_id',
    });
  });

  it('refuses tool call arguments that are not a JSON object', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'go' },
      { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1,2' } }] },
    ];
    await expect(toGeminiContents(messages, options)).rejects.toMatchObject({
      status: 400,
      param: 'messages[1].tool_calls[0].function.arguments',
    });
  });

  it('sends data: images inline, gs:// images as fileData, audio and data: files inline', async () => {
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
          { type: 'image_url', image_url: { url: 'gs://bucket/photos/cat.JPG' } },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
        ],
      },
    ];
    const { contents } = await toGeminiContents(messages, options);
    expect(contents[0]?.parts).toEqual([
      { text: 'Compare these' },
      { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'gs://bucket/photos/cat.JPG' } },
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
    ]);
  });

  it('refuses a gs:// URL without an image extension and a file id, naming the field', async () => {
    await expect(
      toGeminiContents(
        [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'gs://b/blob' } }] }],
        options,
      ),
    ).rejects.toMatchObject({ status: 400, param: 'messages[0].content[0].image_url.url' });
    await expect(
      toGeminiContents([{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }], options),
    ).rejects.toMatchObject({ status: 400, param: 'messages[0].content[0].file.file_id' });
  });

  describe('with an https image', () => {
    const server = new Simulator((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.from(PNG_BASE64, 'base64'));
    });
    const saved = process.env.GATEWAY_ALLOW_PRIVATE_URLS;
    beforeAll(() => server.start());
    afterAll(() => server.close());
    afterEach(() => {
      if (saved === undefined) delete process.env.GATEWAY_ALLOW_PRIVATE_URLS;
      else process.env.GATEWAY_ALLOW_PRIVATE_URLS = saved;
    });

    it('fetches the image into inlineData when private URLs are allowed', async () => {
      process.env.GATEWAY_ALLOW_PRIVATE_URLS = 'true';
      const url = `${server.url}/cat.png`;
      const { contents } = await toGeminiContents(
        [{ role: 'user', content: [{ type: 'image_url', image_url: { url, detail: 'high' } }] }],
        options,
      );
      expect(contents[0]?.parts).toEqual([{ inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }]);
      expect(server.lastRequest?.path).toBe('/cat.png');
    });

    it('refuses a loopback image URL by default, naming the part', async () => {
      delete process.env.GATEWAY_ALLOW_PRIVATE_URLS;
      const url = server.url.replace('http:', 'https:');
      await expect(
        toGeminiContents(
          [
            { role: 'user', content: 'first' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'see' },
                { type: 'image_url', image_url: { url } },
              ],
            },
          ],
          options,
        ),
      ).rejects.toMatchObject({ status: 400, param: 'messages[1].content[1].image_url.url' });
    });
  });
});

describe('toFunctionResponse', () => {
  it('keeps a JSON object as it is and puts anything else under output', () => {
    expect(toFunctionResponse('{"a":1}')).toEqual({ a: 1 });
    expect(toFunctionResponse('[1,2]')).toEqual({ output: '[1,2]' });
    expect(toFunctionResponse('plain text')).toEqual({ output: 'plain text' });
  });
});
