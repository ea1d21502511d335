// Imported first by the runner: the one Powertools logger reads its level when the first benchmark loads it.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
