import { describe, expect, it } from 'vitest';
import { base64ToFloats, encodeVector, floatsToBase64 } from '../../lib/core/embedding-vectors.js';

describe('OpenAI base64 embeddings', () => {
  it('writes float32 little-endian bytes, as OpenAI serves them', () => {
    expect(floatsToBase64([1])).toBe('AACAPw==');
    expect(floatsToBase64([-2.5, 0.5])).toBe('AAAgwAAAAD8=');
    // OpenAI's documented example vector's first two values.
    expect(floatsToBase64([0.0023064255, -0.009327292])).toBe('ZicXO4DRGLw=');
  });

  it('reads them back as the openai SDK does (float32 widened to a double)', () => {
    expect(base64ToFloats('ZicXO4DRGLw=')).toEqual([0.002306425478309393, -0.009327292442321777]);
    expect(base64ToFloats('')).toEqual([]);
  });

  it('refuses text that is not base64 of whole float32 values', () => {
    expect(base64ToFloats('AACA')).toBeUndefined();
    expect(base64ToFloats('not base64!')).toBeUndefined();
  });

  it('encodes only what needs it: base64 passes as it came, numbers pass as they came', () => {
    expect(encodeVector('AACAPw==', 'base64')).toBe('AACAPw==');
    expect(encodeVector([1], 'base64')).toBe('AACAPw==');
    expect(encodeVector('AACAPw==', 'float')).toEqual([1]);
    const numbers = [0.25, -0.5];
    expect(encodeVector(numbers, 'float')).toBe(numbers);
  });
});
