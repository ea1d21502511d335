/**
 * The floor of a function's bundle: an entry that only imports and builds the AWS SDK clients the function's bundle
 * holds, as `shared/adapters/aws-clients.ts` and `jquants-api-key.ts` build them. A function cannot load faster than
 * the SDK it needs.
 */

interface SdkClientRecipe {
  readonly imports: readonly string[];
  readonly build: string;
}

const documentClientOptions = '{ marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } }';

const recipes: Readonly<Record<string, SdkClientRecipe>> = {
  '@aws-sdk/lib-dynamodb': {
    imports: [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    ],
    build: `DynamoDBDocumentClient.from(new DynamoDBClient({}), ${documentClientOptions})`,
  },
  '@aws-sdk/client-sqs': { imports: ["import { SQSClient } from '@aws-sdk/client-sqs';"], build: 'new SQSClient({})' },
  '@aws-sdk/client-scheduler': {
    imports: ["import { SchedulerClient } from '@aws-sdk/client-scheduler';"],
    build: 'new SchedulerClient({})',
  },
  '@aws-sdk/client-secrets-manager': {
    imports: ["import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';"],
    build: 'new SecretsManagerClient({})',
  },
};

/**
 * Libraries a design decision puts in a function (design §1: Yahoo through yahoo-finance2), built as our data source
 * builds them. They are not part of the floor; a second reference, floor plus library, shows what our own code adds.
 */
const libraryRecipes: Readonly<Record<string, SdkClientRecipe>> = {
  'yahoo-finance2': {
    imports: [
      "import createYahooFinance from 'yahoo-finance2/createYahooFinance';",
      "import chart from 'yahoo-finance2/modules/chart';",
    ],
    build: 'new (createYahooFinance({ modules: { chart } }))({ versionCheck: false })',
  },
};

/** The design-mandated libraries among a bundle's packages (`yahoo-finance2`), sorted. */
export function mandatedLibraries(packages: Iterable<string>): string[] {
  return [...packages].filter((name) => libraryRecipes[name] !== undefined).sort();
}

/** Packages a recipe already covers: our code only reaches DynamoDB through the document client. */
const coveredBy: Readonly<Record<string, string>> = { '@aws-sdk/client-dynamodb': '@aws-sdk/lib-dynamodb' };

/** The AWS SDK client packages among a bundle's packages (`@aws-sdk/client-*`, `@aws-sdk/lib-*`), sorted. */
export function sdkClientPackages(packages: Iterable<string>): string[] {
  return [...packages].filter((name) => /^@aws-sdk\/(client|lib)-/.test(name)).sort();
}

/**
 * The source of a floor entry for these client packages. Throws for a client without a recipe, so that a new SDK
 * client in a function makes the benchmark ask for its recipe instead of measuring against a floor without it.
 */
export function sdkFloorSource(clientPackages: readonly string[], libraries: readonly string[] = []): string {
  const chosen = new Set([...clientPackages.map((name) => coveredBy[name] ?? name), ...libraries]);
  const imports = new Set<string>();
  const builds: string[] = [];
  for (const name of [...chosen].sort()) {
    const recipe = recipes[name] ?? libraryRecipes[name];
    if (recipe === undefined) throw new Error(`no floor recipe for ${name}: add how our code builds it`);
    for (const line of recipe.imports) imports.add(line);
    builds.push(recipe.build);
  }
  return [...imports, `export const clients = [${builds.join(', ')}];`, ''].join('\n');
}
