import { describe, expect, it } from 'vitest';
import { fiveFieldCronOf } from '#infra/local/scheduler-engine.ts';
import { parseCron, toAwsScheduleExpression } from '#shared/domain/cron.ts';

describe('local scheduler: AWS cron back to 5 fields', () => {
  it('reads back every expression our translation writes', () => {
    for (const cron of [
      '30 17 * * 1-5',
      '*/15 9-15 * * 1-5',
      '0 */6 * * *',
      '5-10/2 0 1 JAN,JUL *',
      '0 9 L * *',
      '0 9 * * */2',
      '0 0 * * 0,7',
    ]) {
      const aws = toAwsScheduleExpression(parseCron(cron));
      const back = parseCron(fiveFieldCronOf(aws));
      expect(toAwsScheduleExpression(back), cron).toBe(aws);
    }
  });

  it('shifts AWS day-of-week numbers (Sunday = 1) and opens steps', () => {
    expect(fiveFieldCronOf('cron(0/15 9 ? * 2-6 *)')).toBe('0-59/15 9 * * 1-5');
  });

  it('refuses year fields and non-cron expressions', () => {
    expect(() => fiveFieldCronOf('cron(0 9 * * ? 2027)')).toThrow(/years/);
    expect(() => fiveFieldCronOf('rate(5 minutes)')).toThrow(/not an AWS cron/);
  });
});
