/**
 * OpenAI's two encodings of an embedding: JSON numbers, or base64 of the vector's float32 values in little-endian
 * byte order (what the API serves for `encoding_format: "base64"` and the openai SDK decodes with `Float32Array`).
 * The gateway encodes where a provider returned numbers and decodes where an upstream returned base64.
 * @see https://platform.openai.com/docs/api-reference/embeddings/create#embeddings-create-encoding_format
 */
import type { EmbeddingEncoding, EmbeddingVector } from './embeddings.js';

/** The vector's float32 values, little-endian, as base64: byte for byte what OpenAI sends. */
export function floatsToBase64(values: readonly number[]): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return Buffer.from(bytes).toString('base64');
}

/**
 * The numbers of a base64 vector; undefined when the text is not base64 of whole float32 values. Each value is the
 * float32 widened to a double, as the openai SDK's own decoding gives it.
 */
export function base64ToFloats(base64: string): number[] | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return undefined;
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 4 !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** The vector in the caller's encoding; undefined for a base64 vector that does not decode. */
export function encodeVector(vector: EmbeddingVector, encoding: EmbeddingEncoding): number[] | string | undefined {
  if (encoding === 'base64') return typeof vector === 'string' ? vector : floatsToBase64(vector);
  return typeof vector === 'string' ? base64ToFloats(vector) : vector;
}
