import OpenAI from 'openai';

const client = new OpenAI({ baseURL: 'http://127.0.0.1:8787/v1', apiKey: process.env.GATEWAY_KEY });
// `models` is the gateway's extension: fallbacks tried in order on 429, 5xx or a timeout before the first byte.
const request: OpenAI.ChatCompletionCreateParamsStreaming & { models: string[] } = {
  model: 'openai/gpt-4o-mini', // or azure/<deployment>, acme/llama-3-70b, anthropic/claude-…, gpt-4o-mini
  messages: [{ role: 'user', content: 'Write a haiku about gateways' }],
  stream: true,
  stream_options: { include_usage: true },
  models: ['acme/llama-3-70b'],
};
const stream = await client.chat.completions.create(request);
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '');
