/** The arrays end to end, in one new array of their kind. */
export function concat<A extends Uint8Array | Int8Array | Float32Array>(
  arrays: readonly A[],
  Make: new (length: number) => A,
): A {
  let length = 0;
  for (const a of arrays) length += a.length;
  const out = new Make(length);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
