/**
 * The job groups a fresh sandbox starts with when it serves the demo upstream, so a newcomer sees runs complete and
 * rows appear within a minute: each is created through the admin API, and each with a schedule is run once at start.
 * The trading calendar and the listed issues come first; the daily bars of every listed issue have no schedule and
 * run by themselves once both have finished for the date (`dependsOn`).
 */
export function demoGroups(): Record<string, unknown>[] {
  return [
    {
      id: 'demo-calendar',
      name: 'Trading calendar',
      dataSource: 'jquants',
      dataset: 'jquants.markets.calendar',
      schedule: '0 17 * * 1-5',
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
      name: 'Daily bars of the listed issues',
      description:
        'Runs after the trading calendar and the listed issues of the date; one date-wide request for all of them (request planning)',
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      schedule: null,
      dependsOn: ['demo-calendar', 'demo-master'],
      parametersTemplate: { code: { $each: { $listedCodes: {} } }, date: '{{previousBusinessDay}}' },
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
