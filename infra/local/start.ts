import { startSandbox } from '#infra/local/sandbox.ts';

/**
 * `npm start`: the whole system on this machine. Prints the admin API's URL and token and the AWS endpoint, then
 * one line per event; Ctrl-C (SIGINT) or SIGTERM stops everything it started.
 */
const port = process.env.PORT === undefined ? 3000 : Number(process.env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, not '${process.env.PORT}'`);
  process.exit(2);
}

const sandbox = await startSandbox({
  port,
  ...(process.env.ADMIN_TOKEN ? { adminToken: process.env.ADMIN_TOKEN } : {}),
  ...(process.env.AWS_ENDPOINT_URL ? { awsEndpoint: process.env.AWS_ENDPOINT_URL } : {}),
}).catch((error: unknown) => {
  console.error(`sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

console.log(`Admin API: ${sandbox.adminUrl}`);
console.log(`Admin token: ${sandbox.adminToken}`);
console.log(`AWS endpoint: ${sandbox.awsEndpoint}`);

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the sandbox`);
  sandbox.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`sandbox did not stop cleanly: ${String(error)}`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
