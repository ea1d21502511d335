/**
 * The fields of the admin API's answers that the console shows. Loose on purpose, like the CLI's: a newer API may
 * add fields, and the console shows what it knows.
 */

export interface Pause {
  readonly reason: string;
  readonly by?: string;
  readonly until?: string;
  readonly pausedAt?: string;
}

export type Health =
  | { readonly state: 'ok' }
  | { readonly state: 'late'; readonly since?: string; readonly businessDate?: string };

export interface Group {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly dataSource: string;
  readonly dataset: string;
  readonly schedule: string | null;
  readonly timezone: string;
  readonly parametersTemplate: Record<string, unknown>;
  readonly enabled: boolean;
  readonly dependsOn: readonly string[];
  readonly dependencyRule?: unknown;
  readonly calendar?: 'jpx' | 'none';
  readonly expectBy?: string;
  readonly catchUp?: string;
  readonly catchUpWindow?: string;
  readonly overlap?: string;
  readonly maxAttempts?: number;
  readonly runDeadline?: string;
  readonly pause: Pause | null;
  readonly version: number;
  readonly health?: Health;
}

export interface RunCounters {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly dead: number;
}

export interface Run {
  readonly runId: string;
  readonly groupId: string;
  readonly dataSource: string;
  readonly dataset: string;
  readonly trigger: string;
  readonly scheduledTime: string;
  readonly businessDate: string;
  readonly status: string;
  readonly reason?: string;
  readonly counters: RunCounters;
  readonly upstreamRequests: number;
  readonly rowsWritten?: number;
  readonly waitingForRateLimit?: number;
  readonly deferrals?: number;
  readonly createdAt: string;
  readonly runningAt?: string;
  readonly deadlineAt?: string;
  readonly finishedAt?: string;
  readonly backfillId?: string;
  readonly blockedBy?: string;
}

export interface JobError {
  readonly code: string;
  readonly message: string;
}

export interface Job {
  readonly jobId: string;
  readonly params: Record<string, unknown>;
  readonly status: string;
  readonly attemptsMade: number;
  readonly maxAttempts: number;
  readonly deadLettered: boolean;
  readonly lastError?: JobError;
  readonly waitingFor?: string;
  readonly waitingSince?: string;
  readonly deferrals?: number;
  readonly rowsWritten?: number;
}

export interface Backfill {
  readonly backfillId: string;
  readonly groupId: string;
  readonly from: string;
  readonly to: string;
  readonly force?: boolean;
  readonly status: string;
  readonly reason?: string;
  readonly createdAt: string;
  readonly finishedAt?: string;
  readonly progress: {
    readonly dates: {
      readonly total: number;
      readonly skipped: number;
      readonly done: number;
      readonly running: number;
      readonly pending: number;
      readonly failed: number;
    };
    readonly jobs: { readonly total: number; readonly succeeded: number; readonly failed: number };
    readonly rowsWritten?: number;
    readonly upstreamRequests?: number;
    readonly etaSeconds?: number;
  };
  readonly failures: readonly { readonly date: string; readonly runId?: string; readonly error: JobError }[];
}

export interface Preview {
  readonly awsExpression: string;
  readonly timezone: string;
  readonly nextFireTimes: readonly { readonly at: string; readonly businessDate: string; readonly skip?: string }[];
  readonly calendarCovered?: boolean;
}

export interface DataSource {
  readonly id: string;
  readonly plan?: string;
  readonly rateLimit: { readonly limit: number; readonly per: string };
  readonly rateLimitSetting?: { readonly limit: number; readonly per: string };
  readonly health?: { readonly status: string; readonly reason?: string; readonly checkedAt?: string };
  readonly paused?: { readonly until: string; readonly consecutive429s?: number };
  readonly version: number;
}

export interface DeadLetter {
  readonly id: string;
  readonly dataSource: string;
  readonly unreadable: boolean;
  readonly groupId: string | null;
  readonly runId: string | null;
  readonly jobId: string | null;
  readonly dataset: string | null;
  readonly businessDate: string | null;
  readonly error: JobError;
  readonly attemptsMade: number | null;
  readonly failedAt: string | null;
}

export interface Alert {
  readonly kind: string;
  readonly message: string;
  readonly groupId?: string;
  readonly runId?: string;
  readonly queue?: string;
  readonly dataSource?: string;
}

export interface Dataset {
  readonly id: string;
  readonly dataSource: string;
  readonly description: string;
}
