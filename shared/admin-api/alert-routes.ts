import { defineRoute, json, type Route } from '#shared/admin-api/route.ts';
import { type AlertDeps, openAlerts } from '#shared/use-cases/alerts.ts';
import * as z from '#shared/zod.ts';

/** What the alert route needs. */
export type AlertRouteDeps = AlertDeps;

/** One open alert: its kind, a sentence, and the fields of its kind (groupId, queue, runId, since, …). */
const AlertSchema = z.looseObject({ kind: z.string(), message: z.string() });

/** `GET /alerts`: everything that needs an operator now. */
export function alertRoutes(deps: AlertRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/alerts',
      operationId: 'listAlerts',
      summary:
        'Every open alert: late groups, unreadable groups, paused or failing data sources, non-empty dead-letter ' +
        'queues, a JPX calendar that runs out within 30 days, stuck and timed-out runs',
      response: { status: 200, schema: z.object({ alerts: z.array(AlertSchema) }), description: 'the open alerts' },
      handle: async () => json(200, { alerts: await openAlerts(deps) }),
    }),
  ];
}
