import OpenAI from 'openai';

const client = new OpenAI({ baseURL: 'http://127.0.0.1:8787/v1', apiKey: process.env.GATEWAY_KEY });
const { data, usage } = await client.embeddings.create({
  model: 'gemini/gemini-embedding-001', // or text-embedding-3-small, bedrock/amazon.titan-embed-text-v2:0, …
  input: ['What does a gateway do?', 'It routes requests to providers.'],
  dimensions: 768,
});
console.log(
  data.map((item) => item.embedding.length),
  usage.prompt_tokens,
);
