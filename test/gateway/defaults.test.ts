import { describe, expect, it } from 'vitest';
import { BEDROCK_DEFAULT_CHAIN_VARIABLE, defaultsFromEnv } from '../../lib/gateway/defaults.js';

describe('defaultsFromEnv', () => {
  it('takes API keys from their variables, VLLORA_ aliases included, with a base URL where one is set', () => {
    const defaults = defaultsFromEnv({
      OPENAI_API_KEY: 'sk-a',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      VLLORA_GROQ_API_KEY: 'gsk-b',
    });
    expect(defaults).toEqual({
      openai: { api_key: 'sk-a', base_url: 'http://127.0.0.1:9/v1' },
      groq: { api_key: 'gsk-b' },
    });
  });

  it('gives Bedrock no default from a region alone: on Lambda every function has one (CONTRACT.md §6)', () => {
    expect(defaultsFromEnv({ AWS_REGION: 'us-east-1' })).toEqual({});
  });

  it('gives Bedrock the default credential chain when the operator opted in', () => {
    expect(defaultsFromEnv({ AWS_REGION: 'eu-west-1', [BEDROCK_DEFAULT_CHAIN_VARIABLE]: 'true' })).toEqual({
      bedrock: { region: 'eu-west-1' },
    });
  });
});
