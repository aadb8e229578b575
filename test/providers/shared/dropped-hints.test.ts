import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../lib/core/types.js';
import { reportDroppedHints } from '../../../lib/providers/shared/dropped-hints.js';

describe('reportDroppedHints', () => {
  it('reports each hint of the table the request sets, zero and false included, in table order', () => {
    const ignored: string[] = [];
    const req = {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      seed: 0,
      store: false,
      user: 'u-1',
    } as ChatRequest;
    reportDroppedHints(req, ['user', 'seed', 'metadata', 'store'], { ignore: (field) => ignored.push(field) });
    expect(ignored).toEqual(['user', 'seed', 'store']);
  });

  it('reports nothing for a hint set to null', () => {
    const ignored: string[] = [];
    const req = { model: 'm', messages: [], seed: null } as unknown as ChatRequest;
    reportDroppedHints(req, ['seed'], { ignore: (field) => ignored.push(field) });
    expect(ignored).toEqual([]);
  });
});
