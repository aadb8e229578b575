/**
 * Array inputs larger than a provider takes in one call (Gemini's 100 per `batchEmbedContents`, Cohere's 96 texts,
 * Titan's one): cut into batches, at most `concurrency` calls in flight, results put back in input order (each call
 * returns one result per item of its batch: the provider's converter checks that). The first
 * failure stops new calls and is thrown; calls in flight end with the attempt's abort signal, which the caller
 * fires on failure (lib/gateway/call.ts).
 */
export async function mapInBatches<T, R>(
  items: readonly T[],
  batchSize: number,
  concurrency: number,
  call: (batch: T[], offset: number) => Promise<R[]>,
): Promise<R[]> {
  const offsets: number[] = [];
  for (let offset = 0; offset < items.length; offset += batchSize) offsets.push(offset);
  const results: R[][] = new Array(offsets.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < offsets.length) {
      const index = next++;
      const offset = offsets[index]!;
      const batch = items.slice(offset, offset + batchSize);
      try {
        results[index] = await call(batch, offset);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, offsets.length)) }, worker);
  await Promise.all(workers);
  return results.flat();
}

/** How many provider calls one embeddings request keeps in flight at most. */
export const EMBEDDING_CONCURRENCY = 8;
