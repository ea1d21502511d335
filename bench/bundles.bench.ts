import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lambdaNodeOptions } from '#infra/bundling.ts';
import {
  backfillStepsQueue,
  env,
  fetchQueues,
  scheduleDeadLetterQueue,
  scheduleGroupName,
  tables,
} from '#infra/resources.ts';
import { metricsNamespace, serviceName } from '#shared/observability/metric-names.ts';
import { measureColdImports } from './cold-import.ts';
import { buildLambdaBundle, type LambdaBundle, repoRoot } from './lambda-bundle.ts';
import { mandatedLibraries, sdkClientPackages, sdkFloorSource } from './sdk-floor.ts';

/** Packages worth naming in a bundle: the SDK clients, the Yahoo library and its cookie stack, and our libraries. */
const notablePackage =
  /^(?:@aws-sdk\/(?:client|lib)-.*|yahoo-finance2|tough-cookie|tldts|zod|@aws-lambda-powertools\/.*|@middy\/core|croner)$/;

/** Rounds of cold imports per function: this many keeps a shared machine's noise out of the medians. */
const coldImportRounds = 9;

/**
 * Each `functions/*.ts` bundled as deployed, against its floor (a bundle of only the AWS SDK clients it holds): size,
 * the notable packages inside, and the cold import time of both in fresh `node` processes (medians over
 * `coldImportRounds` rounds; the ratio is the median of the ratios within a round). A function that holds a
 * design-mandated library (yahoo-finance2) is also measured against the floor plus that library.
 */
export async function benchBundles(): Promise<Record<string, number | string>> {
  const outdir = await mkdtemp(join(tmpdir(), 'moomoo-bundles-'));
  try {
    const entries = (await readdir(join(repoRoot, 'functions'))).filter((file) => file.endsWith('.ts')).sort();
    const importEnv = lambdaEnvironment();
    const floors = new Map<string, LambdaBundle>();
    const floorOf = async (clients: readonly string[], libraries: readonly string[]): Promise<LambdaBundle> => {
      const key = [...clients, ...libraries].join('+');
      let floor = floors.get(key);
      if (floor === undefined) {
        floor = await buildLambdaBundle({ source: sdkFloorSource(clients, libraries) }, outdir, `floor-${floors.size}`);
        floors.set(key, floor);
      }
      return floor;
    };
    const figures: Record<string, number | string> = {};
    for (const entry of entries) {
      const name = entry.replace(/\.ts$/, '');
      const bundle = await buildLambdaBundle({ entryFile: join('functions', entry) }, outdir, name);
      const clients = sdkClientPackages(bundle.packageBytes.keys());
      const libraries = mandatedLibraries(bundle.packageBytes.keys());
      const floor = await floorOf(clients, []);
      const withLibraries = libraries.length > 0 ? await floorOf(clients, libraries) : undefined;
      const files = [bundle.file, floor.file, ...(withLibraries === undefined ? [] : [withLibraries.file])];
      const imports = await measureColdImports(files, importEnv, coldImportRounds);
      const [importMs = Number.NaN, floorMs = Number.NaN, libraryFloorMs = Number.NaN] = imports.medianMs;
      figures[name] =
        `${kilobytes(bundle.bytes)} KB (floor ${kilobytes(floor.bytes)} KB), ` +
        `import ${Math.round(importMs)} ms (floor ${Math.round(floorMs)} ms), ratio ${imports.ratio(0, 1).toFixed(2)}`;
      if (withLibraries !== undefined) {
        figures[`${name} against floor + ${libraries.join(' + ')}`] =
          `${kilobytes(withLibraries.bytes)} KB, import ${Math.round(libraryFloorMs)} ms ` +
          `(${imports.ratio(2, 1).toFixed(2)}× the floor), ratio ${imports.ratio(0, 2).toFixed(2)}`;
      }
      figures[`${name} holds (KB)`] = notablePackages(bundle);
    }
    return figures;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/**
 * A deployed function's environment with dummy values: every variable infra can bind (so each function's schema
 * finds its own; the others are never read), the variables the construct sets, a region and credentials. No
 * endpoint override and no API key: module scope builds clients and reads config, and sends nothing.
 */
function lambdaEnvironment(): Record<string, string> {
  const account = '000000000000';
  const region = 'ap-northeast-1';
  const bound: Record<string, string> = {};
  for (const table of tables) bound[table.envVar] = `bench-${table.id}`;
  for (const queue of [...fetchQueues, backfillStepsQueue]) {
    bound[queue.envVar] = `https://sqs.${region}.amazonaws.com/${account}/bench-${queue.id}`;
    bound[queue.deadLetterEnvVar] = `https://sqs.${region}.amazonaws.com/${account}/bench-${queue.id}DeadLetters`;
  }
  bound[scheduleDeadLetterQueue.envVar] =
    `https://sqs.${region}.amazonaws.com/${account}/bench-${scheduleDeadLetterQueue.id}`;
  bound[scheduleDeadLetterQueue.arnEnvVar] = `arn:aws:sqs:${region}:${account}:bench-${scheduleDeadLetterQueue.id}`;
  return {
    ...bound,
    [env.scheduleGroupName]: scheduleGroupName,
    [env.schedulerRoleArn]: `arn:aws:iam::${account}:role/bench-scheduler`,
    [env.dispatcherFunctionArn]: `arn:aws:lambda:${region}:${account}:function:bench-dispatch-run`,
    [env.jquantsApiKeySecretArn]: `arn:aws:secretsmanager:${region}:${account}:secret:bench-jquants-AbCdEf`,
    NODE_OPTIONS: lambdaNodeOptions,
    POWERTOOLS_SERVICE_NAME: serviceName,
    POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  };
}

function notablePackages(bundle: LambdaBundle): string {
  return [...bundle.packageBytes]
    .filter(([name, bytes]) => notablePackage.test(name) && bytes > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([name, bytes]) => `${name} ${bytes < 1024 ? '<1' : kilobytes(bytes)}`)
    .join(', ');
}

function kilobytes(bytes: number): number {
  return Math.round(bytes / 1024);
}
