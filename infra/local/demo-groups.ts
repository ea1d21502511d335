/**
 * The job groups a fresh sandbox starts with when it serves the demo upstream, so a newcomer sees runs complete and
 * rows appear within a minute: each is created through the admin API and run once at start.
 */
export function demoGroups(codes: readonly string[]): Record<string, unknown>[] {
  const letterCode = codes.find((code) => /[A-Z]/.test(code));
  const someCodes = [...codes.slice(0, 4), ...(letterCode === undefined ? [] : [letterCode])];
  return [
    {
      id: 'demo-calendar',
      name: 'Trading calendar',
      dataSource: 'jquants',
      dataset: 'jquants.markets.calendar',
      schedule: '0 18 * * *',
      parametersTemplate: {},
    },
    {
      id: 'demo-master',
      name: 'Listed issues',
      dataSource: 'jquants',
      dataset: 'jquants.equities.master',
      schedule: '30 17 * * 1-5',
      parametersTemplate: { date: '{{previousBusinessDay}}' },
    },
    {
      id: 'demo-daily-bars',
      name: 'Daily bars of a few issues',
      description: 'One date-wide request for all of them (request planning)',
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      schedule: '0 17 * * 1-5',
      parametersTemplate: { code: { $each: someCodes }, date: '{{previousBusinessDay}}' },
    },
    {
      id: 'demo-topix',
      name: 'TOPIX, last week',
      dataSource: 'jquants',
      dataset: 'jquants.indices.topix.daily',
      schedule: '0 17 * * 1-5',
      parametersTemplate: { from: '{{businessDate-7d}}', to: '{{businessDate}}' },
    },
    {
      id: 'demo-yahoo-toyota',
      name: 'Toyota on Yahoo, last week',
      dataSource: 'yahoo',
      dataset: 'yahoo.chart.daily',
      schedule: '0 17 * * 1-5',
      parametersTemplate: { symbol: '7203.T', from: '{{businessDate-7d}}', to: '{{businessDate}}' },
    },
  ];
}
