/** Typed-array columns of the metering stores. */
export type Column = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** A copy of `column` with room for `capacity` entries, of the same element type. */
export function widen<A extends Column>(column: A, capacity: number): A {
  const wider = new (column.constructor as new (n: number) => A)(capacity);
  wider.set(column);
  return wider;
}
