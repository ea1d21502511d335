import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkBackup } from '#shared/domain/backup-chunks.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { maxRestoreWrites } from '#shared/ports/backup-restorer.ts';
import { type Backup, BackupSchema } from '#shared/use-cases/backup.ts';

const oneMiB = 1024 * 1024;

/** A group whose template lists `codes` issue codes (about 8 bytes each); overrides replace its fields. */
function aGroup(id: string, codes: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `銘柄グループ ${id}`,
    dataSource: 'jquants',
    dataset: 'jquants.equities.bars.daily',
    schedule: '30 17 * * 1-5',
    parametersTemplate: {
      code: { $each: Array.from({ length: codes }, (_, index) => String(10_000 + index)) },
      date: '{{businessDate}}',
    },
    ...overrides,
  };
}

/** A parsed backup of these groups, with both data sources' settings. */
function aBackup(groups: Record<string, unknown>[]): Backup {
  return BackupSchema.parse({
    format: 'moomoo-markets.backup',
    version: 1,
    exportedAt: '2026-11-27T00:00:00.000Z',
    groups,
    dataSources: [{ id: 'jquants', plan: 'standard' }, { id: 'yahoo' }],
  });
}

const bytesOf = (chunk: Backup): number => Buffer.byteLength(JSON.stringify(chunk));

/** Checks what every split must hold: the rules of one import body, and every group exactly once. */
function expectValidSplit(document: Backup, chunks: readonly Backup[], maxBodyBytes: number): void {
  expect(chunks.length).toBeGreaterThan(0);
  for (const [index, chunk] of chunks.entries()) {
    expect(bytesOf(chunk)).toBeLessThanOrEqual(maxBodyBytes);
    expect(chunk.groups.length + chunk.dataSources.length).toBeLessThanOrEqual(maxRestoreWrites);
    expect(BackupSchema.parse(JSON.parse(JSON.stringify(chunk)))).toEqual(chunk);
    expect(chunk.dataSources).toEqual(index === 0 ? document.dataSources : []);
  }
  const ids = chunks.flatMap((chunk) => chunk.groups.map((group) => group.id));
  expect([...ids].sort()).toEqual(document.groups.map((group) => group.id).sort());
}

describe('chunkBackup', () => {
  it('keeps every body within the byte cap for groups with large templates', () => {
    // About 300 KB each, near the largest group the store keeps: three fit in one MiB.
    const document = aBackup(Array.from({ length: 8 }, (_, index) => aGroup(`large-${index}`, 38_000)));
    const chunks = chunkBackup(document, oneMiB);
    expectValidSplit(document, chunks, oneMiB);
    expect(chunks.map((chunk) => chunk.groups.length)).toEqual([3, 3, 2]);
  });

  it('puts at most 100 writes in a body, the data-source settings counted in the first', () => {
    const document = aBackup(Array.from({ length: 250 }, (_, index) => aGroup(`small-${index}`, 2)));
    const chunks = chunkBackup(document, oneMiB);
    expectValidSplit(document, chunks, oneMiB);
    expect(chunks.map((chunk) => chunk.groups.length)).toEqual([98, 100, 52]);
    expect(chunks.flatMap((chunk) => chunk.groups.map((group) => group.id))).toEqual(
      document.groups.map((group) => group.id),
    );
  });

  it('puts a group dependencies before it, even when the document lists them later', () => {
    const document = aBackup([
      aGroup('bars', 30_000, { dependsOn: ['calendar', 'master'] }),
      aGroup('filler', 30_000),
      aGroup('master', 30_000, { dependsOn: ['calendar'] }),
      aGroup('calendar', 30_000),
    ]);
    const chunks = chunkBackup(document, 600_000);
    expectValidSplit(document, chunks, 600_000);
    expect(chunks.flatMap((chunk) => chunk.groups.map((group) => group.id))).toEqual([
      'calendar',
      'master',
      'bars',
      'filler',
    ]);
  });

  it('returns one body holding only the settings for a backup without groups', () => {
    const document = aBackup([]);
    expect(chunkBackup(document, oneMiB)).toEqual([document]);
  });

  it('refuses a group too large for a body of its own, naming it', () => {
    const document = aBackup([aGroup('fits', 10), aGroup('huge', 20_000)]);
    const refusal = (() => {
      try {
        chunkBackup(document, 100_000);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusal as ValidationError).issues).toEqual([
      {
        path: 'groups[1]',
        message: expect.stringMatching(/^takes \d+ bytes as JSON, more than an import body of 100000/),
      },
    ]);
  });

  it('refuses a group id given twice, which separate requests could not detect', () => {
    const document = aBackup([aGroup('twin', 1), aGroup('other', 1), aGroup('twin', 2)]);
    expect(() => chunkBackup(document, oneMiB)).toThrow("groups[2].id: 'twin' is also groups[0]");
  });

  it('splits any backup into valid bodies within any cap its largest group fits in', () => {
    const sizes = fc.array(fc.integer({ min: 0, max: 6_000 }), { minLength: 0, maxLength: 260 });
    fc.assert(
      fc.property(sizes, fc.integer({ min: 50_000, max: 400_000 }), (codes, maxBodyBytes) => {
        const document = aBackup(codes.map((count, index) => aGroup(`g-${index}`, count)));
        expectValidSplit(document, chunkBackup(document, maxBodyBytes), maxBodyBytes);
      }),
      { numRuns: 25 },
    );
  });
});
