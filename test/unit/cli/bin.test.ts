import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const bin = 'cli/moomoo.mjs';

describe('the moomoo bin', () => {
  it('runs the TypeScript CLI on Node.js 24', () => {
    const result = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: moomoo [options] [command]');
  });

  it('prints one line naming Node.js 24 and how to install it on an older Node.js, and exits 1', () => {
    // Stands in for an old Node.js: the version it reports is all the check reads.
    const olderNode = `data:text/javascript,Object.defineProperty(process, 'version', { value: 'v20.11.0' });`;
    const result = spawnSync(process.execPath, ['--import', olderNode, bin, 'groups', 'list'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^moomoo needs Node\.js 24 or later, but this is Node\.js v20\.11\.0 .*nvm install 24/);
  });
});
