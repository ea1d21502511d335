/**
 * Yahoo stores prices as 32-bit floats and sends them widened to doubles, so 75.0875 arrives as 75.0875015258789.
 * The shortest decimal that maps back to the same float32 is the value Yahoo stored: it strips the noise without
 * the precision a fixed number of digits would cost (38123.45 needs 7 significant digits, 0.0012345 needs 5).
 * A value that is not a float32 (computed upstream in double precision) is returned unchanged.
 */
export function roundFloat32Noise(value: number): number {
  if (!Number.isFinite(value) || Math.fround(value) !== value) return value;
  // Nine significant digits always round-trip a float32, so the loop returns by then.
  for (let digits = 1; digits <= 9; digits += 1) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}
