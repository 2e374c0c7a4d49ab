/**
 * `mlops data download sst2`: fetches the official GLUE SST-2 archive and writes its TSV files
 * (train.tsv, dev.tsv, test.tsv) into a folder (SST2_DIR by default), checking that train.tsv
 * loads and validates before anything is replaced. `source` may be a URL or a local archive
 * (how the spec runs it, and how users behind a proxy bring their own copy).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readZip } from './zip-archive';
import { parseTsv } from './loaders';

export const GLUE_SST2_URL = 'https://dl.fbaipublicfiles.com/glue/data/SST-2.zip';

export interface DownloadResult {
  files: string[];
  trainExamples: number;
  bytes: number;
}

async function fetchArchive(source: string): Promise<Buffer> {
  if (!/^https?:\/\//.test(source)) return fs.readFileSync(source.replace(/^file:\/\//, ''));
  const response = await fetch(source);
  if (!response.ok) throw new Error(`GET ${source}: ${response.status} ${response.statusText}`);
  return Buffer.from(await response.arrayBuffer());
}

export async function downloadSst2(destination: string, source = GLUE_SST2_URL): Promise<DownloadResult> {
  const archive = await fetchArchive(source);
  const tsvs = readZip(archive).filter((entry) => /(^|\/)(train|dev|test)\.tsv$/.test(entry.name));
  const train = tsvs.find((entry) => entry.name.endsWith('train.tsv'));
  if (!train) throw new Error(`${source}: the archive has no train.tsv (entries: ${tsvs.map((e) => e.name).join(', ') || 'none'})`);
  const parsed = parseTsv(train.data.toString('utf8'), 'train.tsv');
  if (parsed.examples.length === 0 || parsed.problems.length > 0) {
    throw new Error(`${source}: train.tsv is not SST-2 (${parsed.examples.length} examples, ${parsed.problems.length} bad rows)`);
  }
  fs.mkdirSync(destination, { recursive: true });
  const files: string[] = [];
  for (const entry of tsvs) {
    const file = path.join(destination, path.basename(entry.name));
    fs.writeFileSync(`${file}.tmp`, entry.data);
    fs.renameSync(`${file}.tmp`, file);
    files.push(file);
  }
  return { files, trainExamples: parsed.examples.length, bytes: archive.length };
}
