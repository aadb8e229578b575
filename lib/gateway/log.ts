/** The gateway's logger lives in lib/core/log.ts, below every layer that logs (the admin API included). */
export { log, redactSecrets } from '../core/log.js';
