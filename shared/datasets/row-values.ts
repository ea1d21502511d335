import type { DatasetDefinition } from '#shared/datasets/dataset.ts';

/**
 * True when the dataset has value fields and `row` has none of them set (each null or absent): an answer for a
 * no-trade day, a date not published yet or an upstream glitch, which must not replace a stored row that has values.
 * Never true for a dataset without value fields (calendar, master): there every row is the data itself.
 */
export function isEmptyOfValues(
  dataset: Pick<DatasetDefinition, 'valueFields'>,
  row: Readonly<Record<string, unknown>>,
): boolean {
  return (
    dataset.valueFields.length > 0 &&
    dataset.valueFields.every((field) => row[field] === null || row[field] === undefined)
  );
}
