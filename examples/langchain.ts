import { ChatOpenAI } from '@langchain/openai';

// `useResponsesApi: true` calls /v1/responses; without it LangChain calls /v1/chat/completions.
const model = new ChatOpenAI({
  model: 'anthropic/claude-sonnet-4-5',
  apiKey: process.env.GATEWAY_KEY,
  configuration: { baseURL: 'http://127.0.0.1:8787/v1' },
  useResponsesApi: true,
});
const answer = await model.invoke('Say hello');
console.log(answer.text);
