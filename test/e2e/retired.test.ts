/**
 * Retired models through the local server, its clock set to the days around a real retirement in the catalog
 * (OpenAI shuts `gpt-5` and `gpt-5-mini` down on 2026-12-11): until that day the model is listed, routed and priced;
 * from it on `/v1/models` leaves it out and a request for it is 404 `model_not_found` saying when it was retired, in
 * OpenAI's envelope on the OpenAI endpoints and Anthropic's on `/v1/messages`; the row of the earlier request keeps
 * its cost.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModel } from '../../lib/catalog.js';
import type { Simulator } from '../../simulators/base.js';
import { startOpenAISimulator, textReply } from '../../simulators/openai.js';
import { type ApiError, failure, setEnv, startTestGateway, type TestGateway, user } from '../helpers/local-gateway.js';
import { ManualClock } from '../helpers/manual-clock.js';

const DAY_BEFORE = new Date('2026-12-10T23:59:00Z');
const RETIREMENT = new Date('2026-12-11T00:00:00Z');

/** The gateway's clock, its wall time held on the day before until a test moves it to the retirement day. */
const clock = new ManualClock(DAY_BEFORE.getTime());
const setDay = (day: Date) => clock.advance(day.getTime() - clock.wallNow());
let gateway: TestGateway;
let sim: Simulator;
let projectId: string;
let key: string;
let restoreEnv: () => void;

interface Row {
  model: string;
  status: number;
  cost_usd: number | null;
  priced: boolean;
}

async function modelIds(): Promise<string[]> {
  const list = await gateway.client(key).models.list();
  return list.data.map((model) => model.id);
}

beforeAll(async () => {
  restoreEnv = setEnv({ OPENAI_API_KEY: undefined, VLLORA_OPENAI_API_KEY: undefined, ANTHROPIC_API_KEY: undefined });
  sim = await startOpenAISimulator();
  gateway = await startTestGateway({ clock });
  ({ projectId, key } = await gateway.project('retired'));
  await gateway.putProvider(projectId, 'openai', { api_key: 'sk-sim-0000', base_url: `${sim.url}/v1` });
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

describe('a model its provider retires', () => {
  it('is the catalog fact this test relies on', () => {
    expect(findModel('openai', 'gpt-5')?.retired).toBe('2026-12-11');
    expect(findModel('openai', 'gpt-5-mini')?.retired).toBe('2026-12-11');
  });

  it('is listed, routed and priced until its retirement day', async () => {
    setDay(DAY_BEFORE);
    expect(await modelIds()).toEqual(expect.arrayContaining(['openai/gpt-5', 'openai/gpt-5-mini']));
    sim.script(textReply('still here', { usage: { prompt_tokens: 1000, completion_tokens: 100 } }));
    const { data, response } = await gateway
      .client(key)
      .chat.completions.create({ model: 'gpt-5', messages: user('hi') })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('still here');
    // gpt-5: $1.25 in, $10 out per million tokens.
    expect(response.headers.get('x-gateway-cost-usd')).toBe('0.00225');
  });

  it('is gone from /v1/models from that day, while current models stay', async () => {
    setDay(RETIREMENT);
    const ids = await modelIds();
    expect(ids).not.toContain('openai/gpt-5');
    expect(ids).not.toContain('openai/gpt-5-mini');
    expect(ids).toContain('openai/gpt-5.1');
    const one = await failure(gateway.client(key).models.retrieve('openai/gpt-5'));
    expect(one).toMatchObject({ status: 404, code: 'model_not_found' });
    expect(one.message).toContain('retired on 2026-12-11');
  });

  it('answers 404 model_not_found with the retirement day, for the model and for a fallback, without an upstream call', async () => {
    setDay(RETIREMENT);
    sim.reset();
    const client = gateway.client(key);
    for (const model of ['gpt-5', 'openai/gpt-5', 'gpt-5-2025-08-07']) {
      const error: ApiError = await failure(client.chat.completions.create({ model, messages: user('hi') }));
      expect(error).toMatchObject({
        status: 404,
        code: 'model_not_found',
        param: 'model',
        type: 'invalid_request_error',
      });
      expect(error.message).toContain('retired on 2026-12-11');
    }
    const fallback = await failure(
      client.chat.completions.create({
        model: 'openai/gpt-5.1',
        messages: user('hi'),
        // @ts-expect-error the gateway's `models` extension, sent as extra body
        models: ['openai/gpt-5-mini'],
      }),
    );
    expect(fallback).toMatchObject({ status: 404, code: 'model_not_found', param: 'models[0]' });
    expect(fallback.message).toContain("fallback model 'openai/gpt-5-mini' (models[0]) was retired on 2026-12-11");
    const responses = await failure(client.responses.create({ model: 'openai/gpt-5', input: 'hi' }));
    expect(responses).toMatchObject({ status: 404, code: 'model_not_found' });
    expect(sim.requests).toHaveLength(0);
  });

  it('answers /v1/messages in the Anthropic envelope', async () => {
    setDay(RETIREMENT);
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: key, maxRetries: 0 });
    const error = await anthropic.messages
      .create({ model: 'claude-3-5-haiku-20241022', max_tokens: 8, messages: user('hi') })
      .then(
        () => undefined,
        (raised: unknown) => raised,
      );
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    const body = (error as InstanceType<typeof Anthropic.NotFoundError>).error as {
      type: string;
      error: { type: string; message: string };
    };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('not_found_error');
    expect(body.error.message).toContain('retired on 2026-02-19');
  });

  it('keeps the cost of the request made before it was retired', async () => {
    const deadline = Date.now() + 3_000;
    let rows: Row[] = [];
    while (Date.now() < deadline) {
      const page = await gateway.admin<{ data: Row[] }>('GET', `/admin/projects/${projectId}/requests?limit=100`);
      rows = page.body.data;
      if (rows.some((row) => row.status === 200)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(rows.filter((row) => row.status === 200)).toEqual([
      expect.objectContaining({ model: 'gpt-5', cost_usd: 0.00225, priced: true }),
    ]);
  });
});
