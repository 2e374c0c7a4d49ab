import { modelQuality } from './model-quality';
import { subjectActivity } from './subject-activity';
import { textStats } from './text-stats';
import type { Transformation } from './transformation';

export * from './transformation';

/** The transformations a definition may name. */
export const TRANSFORMATIONS: ReadonlyMap<string, Transformation> = new Map([subjectActivity, modelQuality, textStats].map((t) => [t.name, t]));
