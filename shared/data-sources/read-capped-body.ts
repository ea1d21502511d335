/** Largest decompressed response body a data source reads: J-Quants splits pages at about 5 MB. */
export const defaultMaxBodyBytes = 32 * 1024 * 1024;

/** A response body read up to a cap. */
export interface CappedBody {
  /** The body as UTF-8 text: all of it, or its first `maxBytes` bytes when `complete` is false. */
  readonly text: string;
  /** False when the body passed the cap: reading stopped there and the rest was never read. */
  readonly complete: boolean;
}

/**
 * Reads a response body as text, counting the bytes `fetch` hands over (already decompressed) and cancelling the
 * stream as soon as they pass `maxBytes`: a few kilobytes of gzip can inflate to gigabytes, so the body is never
 * buffered whole before its size is known. A failure of the stream (a timeout, the caller's abort) is thrown as is.
 */
export async function readCappedBody(response: Response, maxBytes: number): Promise<CappedBody> {
  if (response.body === null) return { text: '', complete: true };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: decode(chunks, total), complete: true };
    if (total + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - total));
      // Closes the connection; the answer is refused whatever the cancellation reports.
      await reader.cancel().catch(() => undefined);
      return { text: decode(chunks, maxBytes), complete: false };
    }
    chunks.push(value);
    total += value.byteLength;
  }
}

function decode(chunks: readonly Uint8Array[], length: number): string {
  return new TextDecoder().decode(Buffer.concat(chunks, length));
}
