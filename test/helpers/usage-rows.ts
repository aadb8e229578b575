/**
 * Usage rows as the gateway writes them (lib/usage/store.ts), for the tests of what reads, spools and counts them:
 * one answered chat request, which a test varies by what it is about.
 */
import type { UsageItem } from '../../lib/usage/counters.js';
import type { UsageRow } from '../../lib/usage/store.js';

export function usageRow(overrides: Partial<UsageRow> = {}): UsageRow {
  return {
    id: 'req_1',
    at: '2026-12-03T10:00:00.000Z',
    project_id: 'proj_1',
    key_id: 'key_1',
    model: 'gpt-4o-mini',
    provider: 'openai',
    provider_model: 'gpt-4o-mini',
    status: 200,
    stream: false,
    input_tokens: 10,
    output_tokens: 5,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: null,
    priced: false,
    latency_ms: 12,
    ttft_ms: 12,
    finish_reason: 'stop',
    error_code: null,
    endpoint: 'chat',
    usage_estimated: false,
    ...overrides,
  };
}

/** The row as a recorder writes it: with its sort key (`<at>#<id>`), and whatever else `overrides` adds. */
export function usageItem(overrides: Partial<UsageItem> = {}): UsageItem {
  const row = usageRow(overrides);
  return { ...row, sk: `${row.at}#${row.id}`, ...overrides };
}
