/** A confirmation carried to the page an action lands on (create → the new group's page). */
let pending: string | undefined;

/** Keeps a confirmation for the next page. */
export function setFlash(text: string): void {
  pending = text;
}

/** Takes the confirmation kept for this page, once. */
export function takeFlash(): string | undefined {
  const text = pending;
  pending = undefined;
  return text;
}
