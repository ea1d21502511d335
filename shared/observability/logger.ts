import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured logger of every function. Messages are constant sentences; data goes in the fixed keys of
 * `LogKeys` (and the error under `error`), so one Logs Insights query fits every function.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'moomoo-markets' });

/** The keys log entries carry data under. */
export interface LogKeys {
  groupId?: string;
  runId?: string;
  jobId?: string;
  dataSource?: string;
  dataset?: string;
  businessDate?: string;
  scheduledTime?: string;
  attemptsMade?: number;
  messageId?: string;
  count?: number;
  durationMs?: number;
  error?: unknown;
  /** Further data, under a name no other key uses for something else. */
  [key: string]: unknown;
}

/** What use cases need of a logger: constant messages with data under fixed keys. */
export interface Log {
  debug(message: string, data?: LogKeys): void;
  info(message: string, data?: LogKeys): void;
  warn(message: string, data?: LogKeys): void;
  error(message: string, data?: LogKeys): void;
}

/** The Powertools logger behind the `Log` port. */
export const log: Log = {
  debug: (message, data) => (data === undefined ? logger.debug(message) : logger.debug(message, data)),
  info: (message, data) => (data === undefined ? logger.info(message) : logger.info(message, data)),
  warn: (message, data) => (data === undefined ? logger.warn(message) : logger.warn(message, data)),
  error: (message, data) => (data === undefined ? logger.error(message) : logger.error(message, data)),
};

/** A `Log` that writes nothing (tests and benchmarks that only look at outcomes). */
export const silentLog: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
