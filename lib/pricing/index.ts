/**
 * Pricing (DESIGN.md §3): the catalog's price for a provider's model on a date, custom providers' prices, and the
 * exact USD cost of a request's usage.
 */
export {
  REQUIRED_PRICED_PROVIDERS,
  type UnpricedModel,
  type UnsourcedPrice,
  unpricedModels,
  unsourcedOldPrices,
} from './audit.js';
export { cost, costPicoUsd, formatUsd, picoPerToken, sumUsd, usdToPico } from './cost.js';
export { type CustomModelPrice, priceFromCustomModel } from './custom.js';
export { type Rates, ratesFor, selectPeriod } from './period.js';
export { findPricedEntry, priceFor } from './price-for.js';
