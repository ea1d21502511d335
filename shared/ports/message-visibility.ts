/**
 * MessageVisibility: when a received queue message shows up again.
 * Guarantees: after `defer`, the message is not delivered again for `delaySeconds` (SQS caps this at 12 hours).
 */
export interface MessageVisibility {
  defer(receiptHandle: string, delaySeconds: number): Promise<void>;
}
