/**
 * The `previous_attributes` of an update event: the old value of every top-level field that changed
 * (compared as JSON, so nested objects count as one field, as in Stripe's events).
 */
export function previousAttributes(before: Record<string, any>, after: Record<string, any>): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === 'updated') continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key] ?? null;
  }
  return previous;
}

/** A JSON deep copy, to keep the pre-update state of a stored object. */
export function snapshot<T>(value: T): T {
  return structuredClone(value);
}
