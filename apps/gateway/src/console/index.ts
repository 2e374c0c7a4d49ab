export { createOpsConsole, type OpsConsole, type OpsConsoleOptions } from './ops-console';
export { RequestStats, quantileFromBuckets, type SecondFigures, type StatsSnapshot } from './request-stats';
export { LiveAccuracy, type AccuracyPoint, type AccuracySnapshot } from './live-accuracy';
