import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { z } from 'zod';
import { createDocumentClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbBackupRestorer } from '#shared/adapters/dynamodb-backup-restorer.ts';
import { DynamoDbDataSourceSettingsStore } from '#shared/adapters/dynamodb-data-source-settings-store.ts';
import { DynamoDbJobGroupStore } from '#shared/adapters/dynamodb-job-group-store.ts';
import { noListedCodes, noTradingCalendar } from '#shared/adapters/no-market-data-yet.ts';
import { systemClock } from '#shared/adapters/system-clock.ts';
import { createAdminApi } from '#shared/admin-api/admin-api.ts';
import { functionUrlResultOf, requestOfFunctionUrlEvent } from '#shared/admin-api/function-url.ts';
import { loadConfig, requiredString } from '#shared/config/load-config.ts';
import { log, logger } from '#shared/observability/logger.ts';

/** The variables that infra binds to this function (MoomooFunction.bind… in the stateless stack). */
const HandleAdminRequestEnvSchema = z.object({
  JOB_GROUPS_TABLE_NAME: requiredString(),
  JOB_RUNS_TABLE_NAME: requiredString(),
  DATA_SOURCES_TABLE_NAME: requiredString(),
  MARKET_DATA_TABLE_NAME: requiredString(),
});

const config = loadConfig(HandleAdminRequestEnvSchema);
const client = createDocumentClient();
const groupStore = new DynamoDbJobGroupStore({ client, tableName: config.JOB_GROUPS_TABLE_NAME });
const settingsStore = new DynamoDbDataSourceSettingsStore({ client, tableName: config.DATA_SOURCES_TABLE_NAME });
const api = createAdminApi({
  groupStore,
  settingsStore,
  restorer: new DynamoDbBackupRestorer({
    client,
    jobGroupsTableName: config.JOB_GROUPS_TABLE_NAME,
    dataSourcesTableName: config.DATA_SOURCES_TABLE_NAME,
  }),
  listedCodes: noListedCodes,
  tradingCalendar: noTradingCalendar,
  clock: systemClock,
  log,
});

const lambdaHandler = async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
  const response = await api.handle(requestOfFunctionUrlEvent(event));
  logger.info('admin request handled', {
    method: event.requestContext.http.method,
    path: event.rawPath,
    status: response.statusCode,
  });
  return functionUrlResultOf(response);
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger, { resetKeys: true }));
