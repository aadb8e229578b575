/**
 * `GET /admin/projects/{project}/latency?from=&to=`: latency and time-to-first-token percentiles per model over a
 * period (docs/metering.md, "Latency"). The counters keep sums, which cannot give a percentile, so this reads the
 * period's usage rows — the same rows `/requests` lists — newest first, at most `MAX_LATENCY_ROWS` of them.
 */
import { latencyReport } from '../usage/latency.js';
import { accountingSettled } from '../usage/settled.js';
import { type AdminResponse, json } from './http.js';
import { loadProject } from './projects.js';
import type { RouteContext } from './routes.js';
import { parsePeriod, requireUsageStore } from './usage.js';

/** Rows one report reads at most: a Query reads about 1 MB a page, so about 100 pages of full rows. */
export const MAX_LATENCY_ROWS = 100_000;

export async function getLatency({ req, params, stores }: RouteContext): Promise<AdminResponse> {
  const project = await loadProject(stores, params.project);
  const period = parsePeriod(req.query, new Date());
  await accountingSettled();
  const timings = await requireUsageStore(stores).timingsBetween(project.id, period.from, period.to, MAX_LATENCY_ROWS);
  return json(200, {
    ...period,
    ...latencyReport(timings.rows),
    rows_read: timings.rows.length,
    complete: timings.complete,
  });
}
