/**
 * The UsageStore beside a set of stores. The admin API is handed `Stores` (projects, keys, credentials); the usage
 * tables live in the same DynamoDB, which a `StoreBundle` (what `createStores` builds) carries.
 */
import type { StoreBundle } from '../storage/index.js';
import type { Stores } from '../storage/types.js';
import { UsageStore } from './store.js';

const built = new WeakMap<object, UsageStore>();

function isBundle(stores: Stores): stores is StoreBundle {
  return 'dynamodb' in stores && 'tables' in stores;
}

/** The usage store on the bundle's DynamoDB client and tables (one per bundle), or undefined without them. */
export function usageStoreFor(stores: Stores): UsageStore | undefined {
  if (!isBundle(stores)) return undefined;
  let store = built.get(stores);
  if (!store) {
    store = new UsageStore(stores.dynamodb, stores.tables);
    built.set(stores, store);
  }
  return store;
}
