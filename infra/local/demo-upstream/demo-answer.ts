/** What the demo answers to one request, before compression. */
export interface DemoAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** A JSON answer. */
export function jsonAnswer(status: number, value: unknown): DemoAnswer {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

/** A plain-text answer (Yahoo's throttling and gateway errors are plain text). */
export function textAnswer(status: number, body: string): DemoAnswer {
  return { status, contentType: 'text/plain; charset=utf-8', body };
}
