import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../lib/core/types.js';
import {
  type FieldTable,
  reject,
  rejectFields,
  renamedFields,
  reportDroppedFields,
} from '../../../lib/providers/shared/field-table.js';

interface Target {
  topP?: number;
  temperature?: number;
  seed?: number;
}

const table: FieldTable<Target> = {
  rename: { top_p: 'topP', temperature: 'temperature', seed: 'seed' },
  drop: ['user', 'seed', 'metadata', 'store'],
  reject: [
    reject('n', (n) => n > 1, 'one choice only'),
    reject('logprobs', (logprobs) => logprobs, 'no logprobs'),
    reject('temperature', (temperature) => temperature > 1, 'temperature 0 to 1'),
  ],
};

const request = (fields: Record<string, unknown>) =>
  ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...fields }) as ChatRequest;

describe('reportDroppedFields', () => {
  it('reports each dropped field the request sets, zero and false included, in table order', () => {
    const ignored: string[] = [];
    reportDroppedFields(request({ seed: 0, store: false, user: 'u-1' }), table, {
      ignore: (field) => ignored.push(field),
    });
    expect(ignored).toEqual(['user', 'seed', 'store']);
  });

  it('reports nothing for a field set to null', () => {
    const ignored: string[] = [];
    reportDroppedFields(request({ seed: null }), table, { ignore: (field) => ignored.push(field) });
    expect(ignored).toEqual([]);
  });
});

describe('renamedFields', () => {
  it('copies set values under the target names, zero included, and leaves out null and absent ones', () => {
    expect(renamedFields(request({ top_p: 0, temperature: null, seed: 7 }), table)).toEqual({ topP: 0, seed: 7 });
  });
});

describe('rejectFields', () => {
  it('answers 400 naming the first field, in table order, whose value the provider cannot honour', () => {
    expect(() => rejectFields(request({ temperature: 1.5, n: 2 }), table)).toThrow(
      expect.objectContaining({ status: 400, param: 'n', message: 'one choice only' }),
    );
    expect(() => rejectFields(request({ temperature: 1.5 }), table)).toThrow(
      expect.objectContaining({ status: 400, param: 'temperature' }),
    );
  });

  it('lets through values it can honour, and null', () => {
    expect(() => rejectFields(request({ n: 1, logprobs: false, temperature: 1 }), table)).not.toThrow();
    expect(() => rejectFields(request({ n: null, logprobs: null }), table)).not.toThrow();
  });
});
