/**
 * `GET /admin/models` (CONTRACT.md §3): the embedded catalog with its prices, one entry per `provider/model`. Prices
 * are the catalog's periods as they are (USD per million tokens under vLLora's `per_*_token` names, DESIGN.md §3):
 * the period with the latest `valid_from` not after a request's day prices that request, and a period's `source` says
 * where its price was read. The admin listing keeps retired models (`retired` is their shutdown day, else null):
 * their prices still explain past rows.
 */
import { type CatalogEntry, catalog } from '../catalog.js';
import { type AdminResponse, json } from './http.js';

export function catalogModelView(entry: CatalogEntry) {
  const provider = entry.inference_provider.provider;
  return {
    id: `${provider}/${entry.model}`,
    provider,
    model: entry.model,
    /** The id sent upstream when a caller writes `model`. */
    provider_model: entry.inference_provider.model_name,
    model_provider: entry.model_provider,
    aliases: entry.aliases ?? [],
    type: entry.type,
    price: entry.price ?? [],
    retired: entry.retired ?? null,
    input_formats: entry.input_formats ?? null,
    capabilities: entry.capabilities ?? null,
    limits: {
      max_context_size: entry.limits?.max_context_size ?? null,
      max_output_tokens: entry.limits?.max_output_tokens ?? null,
    },
  };
}

let body: { data: ReturnType<typeof catalogModelView>[] } | undefined;

/** The catalog is fixed at build time: its listing is built once per process. */
export async function listCatalogModels(): Promise<AdminResponse> {
  if (!body) {
    const seen = new Set<string>();
    const data: ReturnType<typeof catalogModelView>[] = [];
    for (const entry of catalog) {
      const view = catalogModelView(entry);
      if (seen.has(view.id)) continue;
      seen.add(view.id);
      data.push(view);
    }
    body = { data };
  }
  return json(200, body);
}
