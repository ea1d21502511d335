import { type Sandbox, startSandbox } from '#infra/local/sandbox.ts';
import { consoleUrlOf } from '#shared/admin-api/console-session.ts';

/**
 * `npm start`: the whole system on this machine. Prints the admin API's URL and token and the AWS endpoint, then
 * one line per run event; Ctrl-C (SIGINT) or SIGTERM stops everything it started, even during start-up.
 */
const port = process.env.PORT === undefined ? 3000 : Number(process.env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, not '${process.env.PORT}'`);
  process.exit(2);
}

// Crash-recovery tests run the workers on a shorter time limit (and the queues' visibility with it).
const workerTimeoutSeconds =
  process.env.MOOMOO_WORKER_TIMEOUT_SECONDS === undefined
    ? undefined
    : Number(process.env.MOOMOO_WORKER_TIMEOUT_SECONDS);
if (workerTimeoutSeconds !== undefined && !(Number.isInteger(workerTimeoutSeconds) && workerTimeoutSeconds >= 3)) {
  console.error(
    `MOOMOO_WORKER_TIMEOUT_SECONDS must be a whole number of seconds, at least 3, not '${process.env.MOOMOO_WORKER_TIMEOUT_SECONDS}'`,
  );
  process.exit(2);
}

// ADMIN_AUTH=iam: the admin API takes SigV4 signatures instead of the token, as deployed.
const adminAuth = process.env.ADMIN_AUTH ?? 'token';
if (adminAuth !== 'token' && adminAuth !== 'iam') {
  console.error(`ADMIN_AUTH must be token or iam, not '${adminAuth}'`);
  process.exit(2);
}

let sandbox: Sandbox | undefined;
let stopping = false;

function stop(reason: string): void {
  if (stopping) return;
  stopping = true;
  console.log(`${reason}: stopping the sandbox`);
  // A signal during start-up waits for the start to finish, then stops what it started.
  if (sandbox === undefined) return;
  sandbox.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`sandbox did not stop cleanly: ${String(error)}`);
      process.exit(1);
    },
  );
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

try {
  sandbox = await startSandbox({
    port,
    ...(process.env.ADMIN_TOKEN ? { adminToken: process.env.ADMIN_TOKEN } : {}),
    adminAuth,
    ...(process.env.AWS_ENDPOINT_URL ? { awsEndpoint: process.env.AWS_ENDPOINT_URL } : {}),
    ...(workerTimeoutSeconds === undefined ? {} : { workerTimeoutSeconds }),
    onEmulatorLost: () => process.exit(1),
    onListening: (endpoints) => {
      console.log(`Admin API: ${endpoints.adminUrl}`);
      if (adminAuth === 'token') console.log(`Admin token: ${endpoints.adminToken}`);
      console.log(`Admin auth: ${endpoints.adminAuth}`);
      console.log(`AWS endpoint: ${endpoints.awsEndpoint}`);
      // The token rides in the fragment, which the browser never sends; the page trades it for a cookie.
      console.log(
        adminAuth === 'token'
          ? `Console: ${consoleUrlOf(endpoints.adminUrl, endpoints.adminToken)}`
          : `Console: npx moomoo console --url ${endpoints.adminUrl} (signs with this environment's AWS credentials)`,
      );
    },
  });
} catch (error) {
  console.error(`sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
if (stopping) {
  stopping = false;
  stop('stop requested during start-up');
}
