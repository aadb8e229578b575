/**
 * The vectors every embeddings simulator answers with: deterministic for a text and a length (the same text gives
 * the same vector from each simulator, so tests can compare providers and encodings), unit length, and made of
 * float32 values, as real embedding models serve them (so JSON numbers and base64 float32 carry the same values).
 */
import { createHash } from 'node:crypto';

export function simulatedEmbedding(text: string, dimensions: number): number[] {
  const seed = createHash('sha256').update(text).digest();
  let state = seed.readUInt32LE(0) || 1;
  const raw: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    // xorshift32: cheap, deterministic, spread over (-1, 1).
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    raw.push(state / 0x80000000 - 1);
  }
  const norm = Math.sqrt(raw.reduce((sum, value) => sum + value * value, 0)) || 1;
  return raw.map((value) => Math.fround(value / norm));
}

/** The simulators' token count: one per whitespace-separated word, at least one per input. */
export function simulatedTokens(text: string): number {
  return Math.max(1, text.split(/\s+/).filter(Boolean).length);
}

/** Little-endian float32 bytes as base64: OpenAI's `encoding_format: "base64"`. */
export function float32Base64(values: readonly number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => {
    buffer.writeFloatLE(value, i * 4);
  });
  return buffer.toString('base64');
}
