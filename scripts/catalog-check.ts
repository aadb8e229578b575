/**
 * `npm run catalog:check`: checks models_data.json against its schema and lists the chat models that have no price
 * today. Exits 1 when the catalog breaks its schema or when a model of openai, anthropic, gemini or bedrock is
 * unpriced; other providers' unpriced models are listed as warnings. Also lists, without failing, the models whose
 * price today is over a year old and names no source: the ones to re-check first.
 */
import { readFileSync } from 'node:fs';
import { catalog } from '../lib/catalog.js';
import { REQUIRED_PRICED_PROVIDERS, unpricedModels, unsourcedOldPrices } from '../lib/pricing/audit.js';
import { type Schema, validateJsonSchema } from '../lib/pricing/json-schema.js';

const schema = JSON.parse(readFileSync(new URL('../models_data.schema.json', import.meta.url), 'utf8')) as Schema;
const schemaErrors = validateJsonSchema(catalog, schema);
for (const error of schemaErrors) console.error(`schema: ${error}`);

const unpriced = unpricedModels(catalog, new Date());
for (const model of unpriced) {
  const level = model.required ? 'error' : 'warning';
  console.log(`${level}: ${model.provider}/${model.model}: ${model.reason}`);
}

const unsourced = unsourcedOldPrices(catalog, new Date());
for (const price of unsourced) {
  console.log(`unsourced: ${price.provider}/${price.model}: price in force since ${price.validFrom} has no source`);
}

const failing = unpriced.filter((model) => model.required).length;
console.log(
  `${catalog.length} catalog models, ${unpriced.length} unpriced, ${failing} of them from ${REQUIRED_PRICED_PROVIDERS.join(', ')}` +
    (schemaErrors.length ? `; ${schemaErrors.length} schema errors` : ''),
);
console.log(`${unsourced.length} prices in force for over a year without a source`);
process.exitCode = failing > 0 || schemaErrors.length > 0 ? 1 : 0;
