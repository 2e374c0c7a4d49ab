import type { Dashboard } from '../dashboard-builder';
import { apiPerformance } from './api-performance';
import { businessKpis } from './business-kpis';
import { modelMetrics } from './model-metrics';
import { systemHealth } from './system-health';

/** The product spec's four dashboards, each written to dashboards/<uid without "mlops-">.json. */
export const DASHBOARDS: readonly Dashboard[] = [apiPerformance, modelMetrics, systemHealth, businessKpis];
