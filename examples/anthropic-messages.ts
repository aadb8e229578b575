import Anthropic from '@anthropic-ai/sdk';

// The gateway key goes where the Anthropic key would; `baseURL` without `/v1`.
const client = new Anthropic({ baseURL: 'http://127.0.0.1:8787', apiKey: process.env.GATEWAY_KEY });
const stream = client.messages.stream({
  model: 'claude-sonnet-4-5', // or openai/gpt-4o-mini, gemini/gemini-2.5-flash, bedrock/…: translated
  max_tokens: 512,
  messages: [{ role: 'user', content: 'Write a haiku about gateways' }],
});
stream.on('text', (text) => process.stdout.write(text));
const message = await stream.finalMessage();
console.log('\n', message.usage);
