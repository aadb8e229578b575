/**
 * `GET /v1/models` in OpenAI's list format: the catalog's models plus the project's custom-provider models, each
 * `id` as `provider/model` (CONTRACT.md §2). Models their provider has retired by the request's day are left out.
 * @see https://platform.openai.com/docs/api-reference/models/list
 */
import { catalog, findModel, retiredOn } from '../catalog.js';
import { modelNotFound } from '../core/errors.js';
import { scopeAllows } from '../core/model-pattern.js';
import type { ProjectCredentials } from '../storage/types.js';
import { modelRetired } from './route.js';

export interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

function createdOf(validFrom: string | undefined): number {
  const time = validFrom ? Date.parse(validFrom) : Number.NaN;
  return Number.isNaN(time) ? 0 : Math.floor(time / 1000);
}

export function modelObjects(credentials: ProjectCredentials, at: Date): ModelObject[] {
  const seen = new Set<string>();
  const out: ModelObject[] = [];
  const add = (model: ModelObject) => {
    if (seen.has(model.id)) return;
    seen.add(model.id);
    out.push(model);
  };
  for (const entry of catalog) {
    if (retiredOn(entry, at)) continue;
    add({
      id: `${entry.inference_provider.provider}/${entry.model}`,
      object: 'model',
      created: createdOf(entry.price?.[0]?.valid_from),
      owned_by: entry.model_provider,
    });
  }
  for (const [provider, stored] of Object.entries(credentials)) {
    const models = stored.credential.models;
    if (!Array.isArray(models)) continue;
    for (const model of models) {
      const id = (model as { id?: unknown }).id;
      if (typeof id === 'string') add({ id: `${provider}/${id}`, object: 'model', created: 0, owned_by: provider });
    }
  }
  return out;
}

/** The models a key may use: all of them without a scope (CONTRACT.md §5: `/v1/models` lists only what it may use). */
export function listModels(
  credentials: ProjectCredentials,
  at: Date,
  scope?: readonly string[] | null,
): { object: 'list'; data: ModelObject[] } {
  return { object: 'list', data: modelObjects(credentials, at).filter((model) => scopeAllows(scope, model.id)) };
}

export function getModel(
  id: string,
  credentials: ProjectCredentials,
  at: Date,
  scope?: readonly string[] | null,
): ModelObject {
  const model = listModels(credentials, at, scope).data.find((candidate) => candidate.id === id);
  if (model) return model;
  const slash = id.indexOf('/');
  const provider = id.slice(0, slash);
  const retired = slash > 0 ? retiredOn(findModel(provider, id.slice(slash + 1)), at) : undefined;
  throw retired ? modelRetired({ requested: id, provider }, retired) : modelNotFound(id);
}
