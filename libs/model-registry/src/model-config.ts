/**
 * `config.json` of a model version. The format is Hugging Face's (`id2label`,
 * `max_position_embeddings`, `architectures`, `model_type`), so the real
 * `distilbert-base-uncased-finetuned-sst-2-english` config drops in unchanged; our own exports add
 * `max_length` (tokens the model was trained for) and their dimensions.
 */
export interface ModelConfig {
  /** Label of each logit, by index. */
  labels: string[];
  /** Longest token sequence fed to the model ([CLS] and [SEP] included). */
  maxLength: number;
  architecture: string;
  task: string;
  raw: Record<string, unknown>;
}

export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

export function parseModelConfig(raw: unknown, where: string): ModelConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ModelConfigError(`${where}: config.json must be a JSON object`);
  const config = raw as Record<string, unknown>;
  const id2label = config.id2label as Record<string, string> | undefined;
  if (!id2label || typeof id2label !== 'object') throw new ModelConfigError(`${where}: config.json has no id2label mapping`);
  const indices = Object.keys(id2label).map(Number).sort((a, b) => a - b);
  if (indices.length < 2 || indices.some((index, i) => index !== i)) {
    throw new ModelConfigError(`${where}: id2label must map 0..n-1 to labels (got keys ${Object.keys(id2label).join(',')})`);
  }
  const labels = indices.map((i) => String(id2label[String(i)]));
  const maxLength = Number(config.max_length ?? config.max_position_embeddings ?? 512);
  if (!Number.isInteger(maxLength) || maxLength < 2) throw new ModelConfigError(`${where}: max_length must be an integer >= 2`);
  const architectures = config.architectures as string[] | undefined;
  return {
    labels,
    maxLength,
    architecture: architectures?.[0] ?? String(config.model_type ?? 'unknown'),
    task: String(config.task ?? 'sentiment-analysis'),
    raw: config,
  };
}
