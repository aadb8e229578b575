import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';

// The AI SDK's default provider calls /v1/responses; `openai.chat(…)` would call /v1/chat/completions.
const openai = createOpenAI({ baseURL: 'http://127.0.0.1:8787/v1', apiKey: process.env.GATEWAY_KEY });
const { text, usage } = await generateText({ model: openai('gemini/gemini-2.5-flash'), prompt: 'Say hello' });
console.log(text, usage);
