/**
 * What every endpoint that calls a model (chat, Responses, Messages, embeddings) sets up before its first attempt:
 * the routes planned, scoped and priced (./plan.ts), the input estimated once per model, and the attempt hooks
 * (./call.ts) that resolve each route's model from the project's credentials, put the route on the outcome and hold
 * the budget's worst case before the attempt.
 */
import type { KeyRecord } from '../storage/types.js';
import { type TokenCounter, tokenCounterFor } from '../usage/estimate.js';
import { worstCaseUnits } from './budget.js';
import type { AttemptHooks } from './call.js';
import { resolveChatModel } from './credentials.js';
import type { GatewayDeps } from './deps.js';
import type { RequestOutcome } from './outcome.js';
import { enterRoute, oncePerModel, planRoutes } from './plan.js';
import type { Route } from './route.js';

export interface ModelCallSpec {
  /** The request's `model` and then its `models` fallbacks. */
  models: readonly string[];
  /** Throws (400) for a route the endpoint cannot serve; `param` names the field. */
  assertServes: (route: Route, param: string) => void;
  /** The request's input tokens as the route's tokenizer counts them. */
  estimateInput: (counter: TokenCounter) => number;
  /** The most output tokens an answer from the route may bill: what a budget holds beyond the input. */
  outputCeiling: (route: Route) => number;
}

export interface ModelCall {
  routes: Route[];
  hooks: AttemptHooks;
  /** The input estimate of a route's model, computed once: a cut-short stream is billed at the same figure. */
  inputEstimate: (route: Route) => Promise<number>;
}

export async function prepareModelCall(
  deps: GatewayDeps,
  state: { key: KeyRecord; headers: Record<string, string>; outcome: RequestOutcome },
  clientClosed: AbortSignal,
  spec: ModelCallSpec,
): Promise<ModelCall> {
  const { key, headers, outcome } = state;
  const credentials = await deps.stores.credentials.get(key.project_id);
  const plan = planRoutes({
    models: spec.models,
    key,
    credentials,
    budgets: deps.metering.budgets,
    outcome,
    headers,
    assertServes: spec.assertServes,
  });
  const inputEstimate = oncePerModel((route) =>
    tokenCounterFor(route.provider, route.model).then((counter) => spec.estimateInput(counter)),
  );
  const defaults = await deps.defaults();
  const hooks: AttemptHooks = {
    modelFor: (route) => resolveChatModel(route.provider, credentials, defaults),
    onAttempt: async (route) => {
      const price = enterRoute(plan, route, outcome, headers);
      if (plan.budget && price) {
        await plan.budget.hold(worstCaseUnits(await inputEstimate(route), spec.outputCeiling(route), price));
      }
    },
    baseContext: { requestId: outcome.requestId, projectId: key.project_id },
    clientClosed,
    clock: deps.clock,
  };
  return { routes: plan.routes, hooks, inputEstimate };
}
