import { randomBytes } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ListScheduleGroupsCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type {
  Context,
  Handler,
  LambdaFunctionURLEvent,
  LambdaFunctionURLResult,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { buildConsole } from '#console/build.ts';
import { freezeAbandonedInvocations } from '#infra/local/abandoned-invocations.ts';
import { demoGroups } from '#infra/local/demo-groups.ts';
import {
  type DemoUpstream,
  type DemoUpstreamOptions,
  startDemoUpstream,
} from '#infra/local/demo-upstream/demo-upstream.ts';
import { DemoPlanSchema } from '#infra/local/demo-upstream/plan-window.ts';
import { watchEmulator } from '#infra/local/emulator-watch.ts';
import {
  type FunctionUrlAuth,
  type FunctionUrlServer,
  startFunctionUrlServer,
} from '#infra/local/function-url-server.ts';
import { invokeLocally, isInAbandonedInvocation, lambdaContext } from '#infra/local/lambda-context.ts';
import { type MotoServer, startMotoServer } from '#infra/local/moto-server.ts';
import { provisionResources } from '#infra/local/provision.ts';
import { RunWatcher } from '#infra/local/run-watcher.ts';
import { SchedulerEngine, UndeliverableError } from '#infra/local/scheduler-engine.ts';
import { SqsPoller } from '#infra/local/sqs-poller.ts';
import { StreamPoller } from '#infra/local/stream-poller.ts';
import {
  backfillStepsQueue,
  dataSourcesTable,
  env,
  fetchQueues,
  jobGroupsTable,
  jobRunsTable,
  type QueueDefinition,
  withWorkerTimeout,
} from '#infra/resources.ts';
import { createDocumentClient } from '#shared/adapters/aws-clients.ts';
import { isLoopbackUrl, UnsafeEndpointError } from '#shared/adapters/aws-endpoint.ts';
import { DynamoDbDataSourceSettingsStore } from '#shared/adapters/dynamodb-data-source-settings-store.ts';
import { DynamoDbJobGroupStore } from '#shared/adapters/dynamodb-job-group-store.ts';
import { DynamoDbRunLedger } from '#shared/adapters/dynamodb-run-ledger.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { defaultJquantsPlan } from '#shared/domain/data-source-settings.ts';
import type { Clock } from '#shared/ports/clock.ts';

/** How to start the sandbox. */
export interface SandboxOptions {
  /** Admin API port; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** Bearer token of the admin API. @default a random one */
  readonly adminToken?: string;
  /**
   * How the admin API authenticates: `token` (`Authorization: Bearer <adminToken>`), or `iam`, SigV4 signatures
   * (service `lambda`, the sandbox's region) made with the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of its environment,
   * as the deployed Function URL checks them. @default 'token'
   */
  readonly adminAuth?: 'token' | 'iam';
  /** Use this emulator instead of starting moto (loopback only). */
  readonly awsEndpoint?: string;
  /** Drives the scheduler engine; tests inject a fake one. @default the wall clock */
  readonly clock?: Clock;
  /** Tick the scheduler engine on a timer; off for tests that call `scheduler.tick()` themselves. @default true */
  readonly autoTick?: boolean;
  /** How often the reconciler runs. @default 5 minutes */
  readonly reconcileIntervalMs?: number;
  /** How often the JobGroups stream is polled. @default 250 */
  readonly streamPollIntervalMs?: number;
  /**
   * Serve the demo upstream (J-Quants V2 and Yahoo shapes on loopback) and seed demo groups.
   * @default true unless JQUANTS_API_KEY is set
   */
  readonly demo?: boolean;
  /**
   * Options of the demo upstream (page size, rate limit, listed codes, plan). A fresh emulator's J-Quants settings
   * take the demo's plan; from then on the demo follows the plan the settings hold.
   */
  readonly demoOptions?: DemoUpstreamOptions;
  /** Create and run the demo groups on a fresh emulator. @default true with the demo upstream */
  readonly seedDemoGroups?: boolean;
  /** Poll the fetch queues and run the workers. @default true */
  readonly runWorkers?: boolean;
  /**
   * Poll the backfill steps queue and run advance-backfill, one step at a time; off for tests that read the steps
   * requested from the queue themselves (`environment.BACKFILL_QUEUE_URL`). @default true
   */
  readonly runBackfillSteps?: boolean;
  /**
   * The fetch workers' time limit in seconds, the queues' visibility following it (6 ×), as deployed unless set:
   * crash-recovery tests shorten it. An emulator reused from an earlier start keeps the visibility it was made with.
   */
  readonly workerTimeoutSeconds?: number;
  /** How often the run watcher prints a running run's progress when nothing changed. @default 15_000 */
  readonly progressIntervalMs?: number;
  /**
   * Called when the emulator goes away or loses its state under the running sandbox; the sandbox has already
   * printed why and stopped itself. `npm start` exits non-zero.
   */
  readonly onEmulatorLost?: (reason: string) => void;
  /** Called once the admin API listens, before demo groups are seeded and events are printed. */
  readonly onListening?: (endpoints: {
    adminUrl: string;
    adminToken: string;
    /** How the admin API authenticates, in words. */
    adminAuth: string;
    awsEndpoint: string;
  }) => void;
  /** Where the sandbox's own lines go. @default console.log */
  readonly print?: (line: string) => void;
  readonly region?: string;
}

/** A running sandbox. */
export interface Sandbox {
  readonly adminUrl: string;
  /** The bearer token, when `adminAuth` is `token`. */
  readonly adminToken: string;
  readonly adminAuth: 'token' | 'iam';
  readonly awsEndpoint: string;
  /** The environment the functions run with (table names, queue URLs…). */
  readonly environment: Readonly<Record<string, string>>;
  readonly scheduler: SchedulerEngine;
  /** The demo upstream, when the sandbox serves one. */
  readonly demoUpstream?: DemoUpstream;
  /** Delivers a schedule's tick to the dispatcher as EventBridge Scheduler would (tests deliver one twice). */
  deliverTick(groupId: string, scheduledTime: string): Promise<unknown>;
  /** Delivers every pending JobGroups stream record to the schedule manager. */
  syncSchedules(): Promise<void>;
  /** Runs the reconciler once. */
  reconcile(): Promise<void>;
  /** Stops everything this sandbox started, moto included. */
  stop(): Promise<void>;
}

const dispatcherFunctionName = 'moomoo-local-dispatch-run';
const schedulerRoleArn = 'arn:aws:iam::123456789012:role/moomoo-local-scheduler';

/**
 * The whole system on one machine: moto for AWS state, and this runtime for what moto does not do — the
 * JobGroups stream event source, the schedules firing, the fetch queues' and the backfill steps' event sources, the
 * reconciler's timer and the admin Function URL. The functions are the same handler exports Lambda runs, fed
 * AWS-shaped events in this process.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const print = options.print ?? ((line: string) => console.log(line));
  const region = options.region ?? process.env.AWS_REGION ?? 'ap-northeast-1';
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const stopOne of stoppers.splice(0).reverse()) {
      await stopOne().catch((error: unknown) => print(`sandbox: stop step failed: ${String(error)}`));
    }
  };

  try {
    const moto: MotoServer | undefined = options.awsEndpoint === undefined ? await startMotoServer() : undefined;
    if (moto !== undefined) stoppers.push(() => moto.stop());
    const awsEndpoint = options.awsEndpoint ?? moto?.endpoint ?? '';
    if (!isLoopbackUrl(awsEndpoint) && process.env.MOOMOO_ALLOW_REMOTE_ENDPOINT !== 'true') {
      throw new UnsafeEndpointError(awsEndpoint);
    }

    Object.assign(process.env, {
      AWS_ENDPOINT_URL: awsEndpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    });
    let demoUpstream: DemoUpstream | undefined;
    if (options.demo ?? process.env.JQUANTS_API_KEY === undefined) {
      const upstream = await startDemoUpstream(options.demoOptions);
      demoUpstream = upstream;
      stoppers.push(() => upstream.close());
      Object.assign(process.env, {
        JQUANTS_API_KEY: 'demo-key',
        JQUANTS_BASE_URL: upstream.jquantsBaseUrl,
        YAHOO_BASE_URL: upstream.yahooBaseUrl,
      });
    }
    const clients = {
      dynamodb: new DynamoDBClient({ endpoint: awsEndpoint, region }),
      streams: new DynamoDBStreamsClient({ endpoint: awsEndpoint, region }),
      sqs: new SQSClient({ endpoint: awsEndpoint, region, useQueueUrlAsEndpoint: false }),
      scheduler: new SchedulerClient({ endpoint: awsEndpoint, region }),
    };
    await prewarm(clients);
    const queues = withWorkerTimeout(fetchQueues, options.workerTimeoutSeconds);
    const environment: Record<string, string> = {
      ...(await provisionResources(clients, 'moomoo-local', queues)),
      [env.schedulerRoleArn]: schedulerRoleArn,
      [env.dispatcherFunctionArn]: `arn:aws:lambda:${region}:123456789012:function:${dispatcherFunctionName}`,
    };
    Object.assign(process.env, environment);
    // The admin function serves the console (GET /) from this build, as deployed from the copy beside its bundle.
    process.env.CONSOLE_ASSETS_DIR = (await buildConsole()).outdir;

    // Handlers read their configuration at import, so they are loaded only once the environment is complete, and
    // after the runtime can freeze an invocation that passes its timeout.
    freezeAbandonedInvocations(isInAbandonedInvocation);
    const functions = await loadFunctions();
    const invoke = <Event, Result>(name: string, handler: Handler<Event, Result>, event: Event, timeoutSeconds = 60) =>
      invokeLocally(
        handler as (event: Event, context: Context) => Promise<Result>,
        event,
        lambdaContext(name, timeoutSeconds, region),
      );

    const streamPoller = new StreamPoller({
      client: clients.streams,
      streamArn: await latestStreamArn(clients.dynamodb, environment[jobGroupsTable.envVar] ?? ''),
      region,
      handler: (event) => invoke('moomoo-local-sync-schedules', functions.syncSchedules, event),
      maximumRetryAttempts: 5,
      onDiscard: (record, reason) => print(`stream: discarded record ${record.dynamodb?.SequenceNumber} (${reason})`),
    });
    stoppers.push(repeat(() => streamPoller.drain(), options.streamPollIntervalMs ?? 250, print));

    const dispatcherArn = environment[env.dispatcherFunctionArn];
    const scheduler = new SchedulerEngine({
      client: clients.scheduler,
      groupName: environment[env.scheduleGroupName] ?? '',
      clock: options.clock ?? systemClock,
      sqs: clients.sqs,
      invoke: async (targetArn, payload) => {
        if (targetArn !== dispatcherArn) throw new UndeliverableError(`no local function behind ${targetArn}`);
        await invoke(dispatcherFunctionName, functions.dispatchRun, payload, 600);
      },
      onFire: (firing) => print(`schedule fired: ${firing.scheduleName} at ${firing.scheduledTime}`),
      onError: (firing, error) => print(`schedule target failed: ${firing.scheduleName}: ${String(error)}`),
      onUnsupported: (name, reason) => print(`scheduler: ${name}: ${reason}`),
    });
    await scheduler.tick();
    if (options.autoTick !== false) {
      scheduler.start(1000);
      stoppers.push(() => scheduler.stop());
    }

    /** Stands in for a queue's event source mapping: batch size and concurrency as the queue's definition says. */
    const consume = async (
      queue: QueueDefinition,
      functionName: string,
      handler: Handler<SQSEvent, SQSBatchResponse>,
    ): Promise<void> => {
      const queueUrl = environment[queue.envVar] ?? '';
      const { Attributes } = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      const poller = new SqsPoller({
        client: clients.sqs,
        queueUrl,
        queueArn: Attributes?.QueueArn ?? '',
        region,
        batchSize: queue.batchSize,
        // Lambda never runs more than the reserved concurrency at once, whatever its event source pulls.
        maxConcurrency: queue.workerReservedConcurrency,
        handler: (event) => invoke(functionName, handler, event, queue.workerTimeoutSeconds),
        onError: (error) => print(`${functionName}: ${String(error)}`),
      });
      poller.start();
      stoppers.push(() => poller.stop());
    };
    if (options.runWorkers !== false) {
      for (const queue of queues) {
        await consume(queue, `moomoo-local-fetch-${queue.dataSource}-job`, functions.fetchWorkers[queue.dataSource]);
      }
    }
    // One poller with a concurrency of 1: a step never starts before the one in hand has ended (or timed out, after
    // which the abandoned invocation can no longer reach AWS).
    if (options.runBackfillSteps !== false) {
      await consume(backfillStepsQueue, 'moomoo-local-advance-backfill', functions.advanceBackfill);
    }

    const reconcile = async (): Promise<void> => {
      await invoke('moomoo-local-reconcile-schedules', functions.reconcileSchedules, {}, 120);
    };
    stoppers.push(repeat(reconcile, options.reconcileIntervalMs ?? 5 * 60_000, print));

    const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
    const adminAuth = options.adminAuth ?? 'token';
    const auth: FunctionUrlAuth =
      adminAuth === 'iam'
        ? {
            kind: 'iam',
            region,
            credentials: {
              accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
              secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
              ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
            },
          }
        : { kind: 'token', token: adminToken };
    const client = createDocumentClient();
    const followDemoPlan = async (): Promise<void> => {
      if (demoUpstream === undefined) return;
      const settingsStore = new DynamoDbDataSourceSettingsStore({
        client,
        tableName: environment[dataSourcesTable.envVar] ?? '',
      });
      demoUpstream.setPlan((await settingsStore.get('jquants'))?.plan ?? defaultJquantsPlan);
    };
    const server: FunctionUrlServer = await startFunctionUrlServer({
      auth,
      port: options.port ?? 3000,
      handler: async (event) => {
        const result = await invoke('moomoo-local-handle-admin-request', functions.handleAdminRequest, event, 30);
        // The demo serves the plan the settings name before the caller hears that they changed.
        if (mayChangeSettings(event, result)) await followDemoPlan();
        return result;
      },
    });
    stoppers.push(() => server.close());
    options.onListening?.({
      adminUrl: server.url,
      adminToken,
      adminAuth:
        auth.kind === 'iam'
          ? `IAM (AWS SigV4, service lambda, region ${region}, access key ${auth.credentials.accessKeyId} of this environment)`
          : 'bearer token (Authorization: Bearer <admin token>)',
      awsEndpoint,
    });
    stoppers.push(
      watchEmulator({
        client: clients.dynamodb,
        tableName: environment[jobGroupsTable.envVar] ?? '',
        onLost: (reason) => {
          print(`sandbox: ${reason}; stopping (start it again to provision a fresh emulator)`);
          void stop().then(() => options.onEmulatorLost?.(reason));
        },
      }),
    );
    const watcher = new RunWatcher({
      groupStore: new DynamoDbJobGroupStore({ client, tableName: environment[jobGroupsTable.envVar] ?? '' }),
      runLedger: new DynamoDbRunLedger({ client, tableName: environment[jobRunsTable.envVar] ?? '' }),
      print,
      progressIntervalMs: options.progressIntervalMs ?? 15_000,
    });
    stoppers.push(repeat(() => watcher.poll(), 1000, print));
    if (demoUpstream !== undefined) await matchDemoPlan(server, demoUpstream);
    if (demoUpstream !== undefined && options.seedDemoGroups !== false) await seedDemoGroups(server, print);

    return {
      adminUrl: server.url,
      adminToken,
      adminAuth,
      awsEndpoint,
      environment,
      scheduler,
      ...(demoUpstream === undefined ? {} : { demoUpstream }),
      deliverTick: (groupId, scheduledTime) =>
        invoke(dispatcherFunctionName, functions.dispatchRun, { groupId, scheduledTime }, 600),
      syncSchedules: () => streamPoller.drain(),
      reconcile,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface LocalFunctions {
  handleAdminRequest: Handler<LambdaFunctionURLEvent, LambdaFunctionURLResult>;
  syncSchedules: Handler;
  reconcileSchedules: Handler;
  dispatchRun: Handler;
  fetchWorkers: Record<'jquants' | 'yahoo', Handler<SQSEvent, SQSBatchResponse>>;
  advanceBackfill: Handler<SQSEvent, SQSBatchResponse>;
}

async function loadFunctions(): Promise<LocalFunctions> {
  const load = async (name: string): Promise<Handler> =>
    ((await import(new URL(`../../functions/${name}.ts`, import.meta.url).href)) as { handler: Handler }).handler;
  return {
    handleAdminRequest: (await load('handle-admin-request')) as LocalFunctions['handleAdminRequest'],
    syncSchedules: await load('sync-schedules'),
    reconcileSchedules: await load('reconcile-schedules'),
    dispatchRun: await load('dispatch-run'),
    fetchWorkers: {
      jquants: (await load('fetch-jquants-job')) as Handler<SQSEvent, SQSBatchResponse>,
      yahoo: (await load('fetch-yahoo-job')) as Handler<SQSEvent, SQSBatchResponse>,
    },
    advanceBackfill: (await load('advance-backfill')) as Handler<SQSEvent, SQSBatchResponse>,
  };
}

/**
 * A fresh sandbox's J-Quants settings take the demo's plan (Premium unless told otherwise, whose 500 requests a
 * minute the demo allows by default), so the rate limiter paces to the demo, not to the Free plan's 5 a minute. A
 * plan set by the operator is kept, and the demo serves it: its window follows the settings from then on.
 */
async function matchDemoPlan(server: FunctionUrlServer, demoUpstream: DemoUpstream): Promise<void> {
  const call = adminCall(server);
  const listed = (await (await call('GET', '/data-sources')).json()) as {
    dataSources: { id: string; plan?: string; version: number }[];
  };
  const jquants = listed.dataSources.find((source) => source.id === 'jquants');
  if (jquants?.version === 0) {
    await call('PATCH', '/data-sources/jquants', { plan: demoUpstream.planWindow().plan, version: 0 });
  } else {
    demoUpstream.setPlan(DemoPlanSchema.parse(jquants?.plan ?? defaultJquantsPlan));
  }
}

/** A write that succeeded and may have changed a data source's settings: a PATCH of one, or an import. */
function mayChangeSettings(event: LambdaFunctionURLEvent, result: LambdaFunctionURLResult): boolean {
  const { method, path } = event.requestContext.http;
  const status = typeof result === 'object' ? (result.statusCode ?? 200) : 200;
  return method !== 'GET' && status < 300 && (path.startsWith('/data-sources/') || path === '/import');
}

/** Calls the sandbox's own admin API, authenticated as its auth mode asks. */
function adminCall(server: FunctionUrlServer): (method: string, path: string, body?: unknown) => Promise<Response> {
  return async (method, path, body) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = await server.authorize({
      method,
      path,
      headers: { 'content-type': 'application/json' },
      ...(text === undefined ? {} : { body: text }),
    });
    return fetch(`${server.url}${path}`, { method, headers, ...(text === undefined ? {} : { body: text }) });
  };
}

/**
 * Creates the demo groups through the admin API and runs each one that has a schedule once (the others run after
 * their dependencies), unless the emulator already holds groups.
 */
async function seedDemoGroups(server: FunctionUrlServer, print: (line: string) => void): Promise<void> {
  const call = adminCall(server);
  const existing = (await (await call('GET', '/groups')).json()) as { groups: unknown[] };
  if (existing.groups.length > 0) return;
  const groups = demoGroups();
  for (const group of groups) {
    const created = await call('POST', '/groups', group);
    if (!created.ok) {
      print(`demo: could not create ${String(group.id)}: ${await created.text()}`);
      continue;
    }
    if (group.schedule !== null) await call('POST', `/groups/${String(group.id)}/runs`, {});
  }
  print(`demo: created and started ${groups.length} demo groups`);
}

/** One call per service, so the emulator's first-use cost is paid before the first request. */
async function prewarm(clients: {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  scheduler: SchedulerClient;
}): Promise<void> {
  await Promise.all([
    clients.dynamodb.send(new ListTablesCommand({})),
    clients.sqs.send(new ListQueuesCommand({})),
    clients.scheduler.send(new ListScheduleGroupsCommand({})),
  ]);
}

async function latestStreamArn(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.LatestStreamArn === undefined) throw new Error(`table ${tableName} has no stream`);
  return Table.LatestStreamArn;
}

/** Runs `work` every `intervalMs`, never overlapping itself; returns a stopper that waits for a run in progress. */
function repeat(work: () => Promise<void>, intervalMs: number, print: (line: string) => void): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = work()
      .catch((error: unknown) => print(`sandbox: ${String(error)}`))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
