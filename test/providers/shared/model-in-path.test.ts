import { describe, expect, it } from 'vitest';
import { assertModelInPath } from '../../../lib/providers/shared/model-in-path.js';

describe('assertModelInPath', () => {
  it.each(['gpt-4o', 'prod-chat.v2', 'my_deployment', 'gemini-2.5-pro'])('takes the segment %s', (model) => {
    expect(() => assertModelInPath(model, 'Azure')).not.toThrow();
  });

  it.each(['a/b', 'x:countTokens', 'x y', '-leading', '', 'a/../b'])('refuses %j as one segment', (model) => {
    expect(() => assertModelInPath(model, 'Azure')).toThrow(expect.objectContaining({ status: 400, param: 'model' }));
  });

  it('takes publisher/model and tunedModels/name where two segments are allowed, and no more', () => {
    expect(() => assertModelInPath('google/gemini-2.5-pro', 'Gemini', 2)).not.toThrow();
    expect(() => assertModelInPath('tunedModels/my-model', 'Gemini', 2)).not.toThrow();
    expect(() => assertModelInPath('a/b/c', 'Gemini', 2)).toThrow(/at most one '\/'/);
    expect(() => assertModelInPath('gemini-pro:streamGenerateContent', 'Gemini', 2)).toThrow();
  });
});
