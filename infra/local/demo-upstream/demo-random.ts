/**
 * Deterministic pseudo-random numbers keyed by (seed, day, salt) rather than drawn from a stream: any row can be
 * built on its own, in any order, and the same request always gets the same numbers.
 */

/** A 32-bit seed from a text such as an issue code (FNV-1a). */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A number in [0, 1) for one seed, one day number and one salt (a named use of the numbers). */
export function unitRandom(seed: number, day: number, salt: number): number {
  return mix(seed ^ mix(Math.imul(day, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77))) / 4_294_967_296;
}

/** A number in [-1, 1), centred on 0. */
export function centredRandom(seed: number, day: number, salt: number): number {
  return unitRandom(seed, day, salt) * 2 - 1;
}

/** The murmur3 finaliser: every input bit moves about half the output bits. */
function mix(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
