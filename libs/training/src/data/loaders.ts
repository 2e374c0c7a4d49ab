/**
 * Loaders for the three accepted dataset formats:
 * - GLUE SST-2 TSV: header `sentence\tlabel`, one example per line (the text has no tabs);
 * - CSV with a header naming a `text` (or `sentence`) column and a `label` column (RFC 4180 quoting);
 * - JSONL: one `{"text": ..., "label": ...}` object per line.
 * Labels are indices or names (see parseLabel). Rows that break the schema are kept as problems,
 * not thrown, so validation can report all of them at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SENTIMENT_LABELS, parseLabel, type Dataset, type DatasetFormat, type LabelledText, type RowProblem } from './dataset';

export class DatasetError extends Error {
  override name = 'DatasetError';
}

const TEXT_COLUMNS = ['text', 'sentence'];

function splitLines(content: string): string[] {
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function columnIndexes(header: string[], source: string): { text: number; label: number } {
  const names = header.map((name) => name.trim().toLowerCase());
  const text = names.findIndex((name) => TEXT_COLUMNS.includes(name));
  const label = names.indexOf('label');
  if (text < 0 || label < 0) {
    throw new DatasetError(`${source}: the header must name a text column (${TEXT_COLUMNS.join(' or ')}) and a label column; got '${header.join(',')}'`);
  }
  return { text, label };
}

function collect(rows: Iterable<{ line: number; text: unknown; label: unknown }>, labels: readonly string[]) {
  const examples: LabelledText[] = [];
  const problems: RowProblem[] = [];
  for (const row of rows) {
    if (typeof row.text !== 'string') {
      problems.push({ line: row.line, message: 'text is missing or not a string' });
      continue;
    }
    const label = parseLabel(row.label, labels);
    if (label === undefined) {
      problems.push({ line: row.line, message: `label '${String(row.label)}' is not one of ${labels.map((l, i) => `${i}/${l}`).join(', ')}` });
      continue;
    }
    examples.push({ text: row.text, label });
  }
  return { examples, problems };
}

export function parseTsv(content: string, source = 'tsv', labels: readonly string[] = SENTIMENT_LABELS): Dataset {
  const [header, ...lines] = splitLines(content);
  if (header === undefined) throw new DatasetError(`${source}: the file is empty`);
  const columns = columnIndexes(header.split('\t'), source);
  const rows = lines.map((line, i) => {
    const cells = line.split('\t');
    return { line: i + 2, text: cells[columns.text], label: cells[columns.label] };
  });
  return { source, format: 'tsv', labels, ...collect(rows, labels) };
}

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsvRecords(content: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  const text = content.replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

export function parseCsv(content: string, source = 'csv', labels: readonly string[] = SENTIMENT_LABELS): Dataset {
  const [header, ...records] = parseCsvRecords(content);
  if (header === undefined) throw new DatasetError(`${source}: the file is empty`);
  const columns = columnIndexes(header, source);
  const rows = records.map((cells, i) => ({ line: i + 2, text: cells[columns.text], label: cells[columns.label] }));
  return { source, format: 'csv', labels, ...collect(rows, labels) };
}

export function parseJsonl(content: string, source = 'jsonl', labels: readonly string[] = SENTIMENT_LABELS): Dataset {
  const rows: { line: number; text: unknown; label: unknown }[] = [];
  const problems: RowProblem[] = [];
  let syntheticRows = 0;
  splitLines(content).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line) as { text?: unknown; label?: unknown; synthetic?: unknown } | null;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
      rows.push({ line: i + 1, text: value.text, label: value.label });
      if (value.synthetic === true) syntheticRows++;
    } catch (error) {
      problems.push({ line: i + 1, message: `not a JSON object: ${(error as Error).message}` });
    }
  });
  const collected = collect(rows, labels);
  const allProblems = [...problems, ...collected.problems].sort((a, b) => a.line - b.line);
  // `mlops data generate` marks every row; one marked row is enough to call the file synthetic.
  return { source, format: 'jsonl', labels, examples: collected.examples, problems: allProblems, ...(syntheticRows > 0 ? { synthetic: true } : {}) };
}

export function formatOf(file: string): DatasetFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.tsv') return 'tsv';
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  throw new DatasetError(`${file}: unknown dataset format '${extension}' (use .tsv, .csv or .jsonl)`);
}

/** Loads a dataset file, choosing the parser by extension. */
export function loadDataset(file: string, labels: readonly string[] = SENTIMENT_LABELS): Dataset {
  if (!fs.existsSync(file)) throw new DatasetError(`dataset not found: ${file}`);
  const content = fs.readFileSync(file, 'utf8');
  const parsers = { tsv: parseTsv, csv: parseCsv, jsonl: parseJsonl };
  return parsers[formatOf(file)](content, file, labels);
}

export interface DataPaths {
  /** SST-2's folder: env `SST2_DIR`, else `../shared/datasets/sst2`. */
  sst2Dir: string;
  /** `<sst2Dir>/train.tsv`: the default training data. */
  sst2Train: string;
  /** The BERT uncased vocabulary: env `VOCAB_FILE`, else `../shared/models/bert-base-uncased/vocab.txt`. */
  vocabFile: string;
}

/** Where the shared data lives, relative to the repository root unless the env gives absolute paths. */
export function dataPaths(env: NodeJS.ProcessEnv, repoRoot: string): DataPaths {
  const sst2Dir = path.resolve(repoRoot, env.SST2_DIR || '../shared/datasets/sst2');
  return {
    sst2Dir,
    sst2Train: path.join(sst2Dir, 'train.tsv'),
    vocabFile: path.resolve(repoRoot, env.VOCAB_FILE || '../shared/models/bert-base-uncased/vocab.txt'),
  };
}
