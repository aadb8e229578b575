/**
 * Whether an AWS SDK error is the named service exception. Compares `name` rather than `instanceof` so it holds
 * across duplicated SDK copies and for errors built by test mocks.
 */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}
