import { badRequest } from '../../core/errors.js';
import type { CallContext, ChatRequest } from '../../core/types.js';

/** A field of the canonical request that a provider's table can name. */
export type RequestField = keyof ChatRequest & string;

/** Values of a field the provider cannot honour without changing what the answer is (made by `reject`). */
export interface Rejection {
  field: RequestField;
  when: (value: unknown) => boolean;
  message: string;
}

/** A 400 naming `field` when its value is set and `when` holds for it (null and absent never reach `when`). */
export function reject<Field extends RequestField>(
  field: Field,
  when: (value: NonNullable<ChatRequest[Field]>) => boolean,
  message: string,
): Rejection {
  return { field, when: when as (value: unknown) => boolean, message };
}

/**
 * What a provider's request builder (its `request.ts`) does with the fields that need no conversion, as data
 * (CONTRACT.md §2): `rename` copies a set value under the provider's own name, `drop` leaves out a hint it has no
 * equivalent for and reports it (`x-gateway-ignored`), `reject` answers 400 naming the field. Fields that need a
 * conversion (messages, tools, stop, response_format) stay code in the builder.
 */
export interface FieldTable<Target> {
  rename: Partial<Record<RequestField, keyof Target & string>>;
  drop: readonly RequestField[];
  reject: readonly Rejection[];
}

/** What a provider that answers with one choice and no log probabilities refuses (`name`: as messages say it). */
export function oneChoiceNoLogprobs(name: string): Rejection[] {
  const noLogprobs = `${name} does not return log probabilities.`;
  return [
    reject('n', (n) => n > 1, `${name} returns one choice per request; n must be 1.`),
    reject('logprobs', (logprobs) => logprobs, noLogprobs),
    reject('top_logprobs', (top) => top > 0, noLogprobs),
  ];
}

const isSet = (value: unknown): boolean => value !== null && value !== undefined;

/** Throws the 400 of the first rejection, in table order, that the request meets. */
export function rejectFields(req: ChatRequest, table: Pick<FieldTable<unknown>, 'reject'>): void {
  for (const { field, when, message } of table.reject) {
    const value = req[field];
    if (isSet(value) && when(value)) throw badRequest(message, field);
  }
}

/** Reports each dropped field the request sets, zero and false included, in table order. */
export function reportDroppedFields(
  req: ChatRequest,
  table: Pick<FieldTable<unknown>, 'drop'>,
  ctx: Pick<CallContext, 'ignore'>,
): void {
  for (const field of table.drop) if (isSet(req[field])) ctx.ignore(field);
}

/** The set values of the renamed fields, under the provider's names. */
export function renamedFields<Target>(req: ChatRequest, table: Pick<FieldTable<Target>, 'rename'>): Partial<Target> {
  const out: Partial<Record<string, unknown>> = {};
  for (const [field, target] of Object.entries(table.rename) as [RequestField, string][]) {
    const value = req[field];
    if (isSet(value)) out[target] = value;
  }
  return out as Partial<Target>;
}
