import { isStripeSdkError } from '../errors.js';

/** True when Stripe answered that the object does not exist (404, `resource_missing`). */
export function isMissing(err: unknown): boolean {
  return isStripeSdkError(err) && (err.statusCode === 404 || err.code === 'resource_missing');
}

/**
 * A look-up that may find nothing: the object, or undefined when Stripe has no such object. Every
 * other failure is thrown as it is (the CLI's entry point reports Stripe's errors).
 */
export async function found<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}
