import OpenAI from 'openai';

const client = new OpenAI({ baseURL: 'http://127.0.0.1:8787/v1', apiKey: process.env.GATEWAY_KEY });
const response = await client.responses.create({
  model: 'anthropic/claude-sonnet-4-5', // any provider: translated where it has no Responses API
  instructions: 'Answer in one sentence.',
  input: 'What does a gateway do?',
});
console.log(response.output_text);
