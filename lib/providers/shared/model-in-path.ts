/**
 * Providers whose SDK puts the model in the URL path unencoded (Azure's `/deployments/<deployment>/…`, Gemini's
 * `models/<model>:generateContent`, Vertex's `publishers/<publisher>/models/<model>`) take only names that are
 * plain path segments. The gateway's validation already refuses `..`, `?`, `#`, `%` and `\` (CONTRACT.md §6); this
 * also keeps `/` and `:` from reaching another path or method of the upstream's API.
 */
import { badRequest } from '../../core/errors.js';

const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._-]*';
const ONE_SEGMENT = new RegExp(`^${SEGMENT}$`);
const UP_TO_TWO_SEGMENTS = new RegExp(`^${SEGMENT}(?:/${SEGMENT})?$`);

/**
 * 400 unless `model` is `segments` (1, or 2 for `publisher/model` and `tunedModels/name`) of letters, digits, `.`,
 * `_` and `-`.
 */
export function assertModelInPath(model: string, provider: string, segments: 1 | 2 = 1): void {
  if ((segments === 1 ? ONE_SEGMENT : UP_TO_TWO_SEGMENTS).test(model)) return;
  throw badRequest(
    `${provider} model names are letters, digits, '.', '_' and '-'${segments === 2 ? ", with at most one '/'" : ''}: '${model}' is not one.`,
    'model',
    'invalid_model',
  );
}
