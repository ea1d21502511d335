/**
 * DynamoDB's size of an item, counted the way its 400 KB item limit counts it: attribute names plus values, by the
 * rules of https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html. A write
 * of a larger item fails with a ValidationException, and the emulator does not enforce the limit at all, so every
 * item that can grow with operator input is measured here before it is written.
 *
 * Values are taken as the document client marshals them: strings, numbers (and bigints), booleans, null, binary
 * (`Uint8Array`), arrays as lists, plain objects as maps, `Set`s as sets; `undefined` is dropped (the client's
 * `removeUndefinedValues`).
 */

/** DynamoDB's largest item, in bytes (400 KB). */
export const dynamoDbItemLimitBytes = 400 * 1024;

/** A list or map costs this much whatever it holds… */
const containerOverheadBytes = 3;
/** …and each of its elements this much more. */
const elementOverheadBytes = 1;

/** The bytes DynamoDB counts for an item: each attribute's name (UTF-8) plus its value. */
export function storedItemBytes(item: Readonly<Record<string, unknown>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    bytes += utf8Bytes(name) + storedValueBytes(value);
  }
  return bytes;
}

/** The bytes DynamoDB counts for one attribute value, without its name. */
export function storedValueBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`DynamoDB cannot store the number ${value}`);
    return numberBytes(String(value));
  }
  if (typeof value === 'bigint') return numberBytes(value.toString());
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) {
    let bytes = containerOverheadBytes;
    for (const element of value) {
      if (element !== undefined) bytes += elementOverheadBytes + storedValueBytes(element);
    }
    return bytes;
  }
  // A set is stored as its elements: no container overhead (the rule above is for lists and maps only).
  if (value instanceof Set) {
    let bytes = 0;
    for (const element of value) bytes += storedValueBytes(element);
    return bytes;
  }
  if (isPlainObject(value)) {
    let bytes = containerOverheadBytes;
    for (const [key, element] of Object.entries(value)) {
      if (element !== undefined) bytes += elementOverheadBytes + utf8Bytes(key) + storedValueBytes(element);
    }
    return bytes;
  }
  throw new TypeError(`DynamoDB cannot store a ${typeof value} value as it is`);
}

/** "1 byte per two significant digits, plus 1 byte"; leading and trailing zeros are not significant. */
function numberBytes(text: string): number {
  const mantissa = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '');
  const significant = mantissa.replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(significant.length / 2) + 1;
}

/** UTF-8 length without encoding the string: 1–3 bytes per UTF-16 unit, 4 per surrogate pair. */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 4;
      index++;
    } else {
      // Includes a lone surrogate, which UTF-8 encoders replace with U+FFFD (3 bytes).
      bytes += 3;
    }
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
