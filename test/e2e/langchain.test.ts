/**
 * LangChain's `ChatOpenAI` (`@langchain/openai`) pointed at the gateway, unchanged but for its base URL: with
 * `useResponsesApi` it calls `/v1/responses` (a 404 before the gateway served that path), without it
 * `/v1/chat/completions`; invoke, stream and a bound tool, translated to a custom provider.
 */
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulators/base.js';
import { startOpenAISimulator, textReply, toolCallsReply } from '../../simulators/openai.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let acme: Simulator;
let key: string;
let projectId: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ OPENAI_API_KEY: undefined, LANGSMITH_TRACING: undefined, LANGCHAIN_TRACING_V2: undefined });
  acme = await startOpenAISimulator();
  gateway = await startTestGateway();
  ({ projectId, key } = await gateway.project('langchain'));
  await gateway.putProvider(projectId, 'acme', {
    type: 'openai-compatible',
    base_url: `${acme.url}/v1`,
    models: [{ id: 'llama-3', input_per_million: 1, output_per_million: 2 }],
  });
});

afterAll(async () => {
  await gateway?.close();
  await acme?.close();
  restoreEnv?.();
});

const model = (useResponsesApi: boolean) =>
  new ChatOpenAI({
    model: 'acme/llama-3',
    apiKey: key,
    configuration: { baseURL: `${gateway.url}/v1` },
    useResponsesApi,
    maxRetries: 0,
  });

describe.each([true, false])('ChatOpenAI with useResponsesApi: %s', (useResponsesApi) => {
  const endpoint = useResponsesApi ? 'responses' : 'chat';

  it('invokes and streams', async () => {
    acme.script(textReply('Hello from LangChain'));
    const answer = await model(useResponsesApi).invoke('Say hello');
    expect(answer.text).toBe('Hello from LangChain');

    acme.script(textReply(['Streamed ', 'through ', 'LangChain']));
    let text = '';
    for await (const chunk of await model(useResponsesApi).stream('Stream please')) text += chunk.text;
    expect(text).toBe('Streamed through LangChain');
    const rows = await gateway.admin<{ data: Record<string, unknown>[] }>(
      'GET',
      `/admin/projects/${projectId}/requests?limit=2`,
    );
    expect(rows.body.data.map((row) => row.endpoint)).toEqual([endpoint, endpoint]);
  });

  it('calls a bound tool', async () => {
    acme.script(toolCallsReply([{ id: 'call_lc', name: 'get_weather', arguments: { city: 'Oslo' } }]));
    const withTools = model(useResponsesApi).bindTools([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'The weather in a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ]);
    const answer = await withTools.invoke('Weather in Oslo?');
    expect(answer.tool_calls).toEqual([
      expect.objectContaining({ name: 'get_weather', args: { city: 'Oslo' }, id: 'call_lc' }),
    ]);
  });
});
