export { createOpsConsole, type OpsConsole, type OpsConsoleOptions } from './ops-console';
export { RequestStats, quantileFromBuckets, type SecondFigures, type StatsSnapshot } from './request-stats';
