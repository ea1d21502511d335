#!/usr/bin/env node
// The `moomoo` bin. Plain JavaScript without top-level await, so that an old Node.js still runs this far and says
// what is missing instead of failing on the TypeScript imported next (Node.js 24 strips its types itself).
import prerequisites from '../scripts/check-prerequisites.cjs';

/** Stops with one line naming the Node.js the CLI needs and how to install it, unless this one will do. */
function exitUnlessNodeIsRecentEnough() {
  prerequisites.exitUnlessReady('cli');
}

exitUnlessNodeIsRecentEnough();
import('./main.ts')
  .then(({ main }) => main(process.argv))
  .then(
    (exitCode) => {
      process.exitCode = exitCode;
    },
    (error) => {
      // Only loading can fail here (main never throws): most often dependencies that `npm ci` has not installed.
      process.stderr.write(`moomoo could not start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.stderr.write('next: run `npm ci` in the moomoo-markets repository, then run moomoo again\n');
      process.exitCode = 1;
    },
  );
