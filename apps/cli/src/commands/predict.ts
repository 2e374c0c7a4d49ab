import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { gatewayUrl, parse, writeJson } from '../args';
import { predictFileCommand, predictFileUsage } from './predict-file';

export const predictCommand: CliCommand = {
  name: 'predict',
  summary: 'Classify text through the gateway',
  usage: `Usage: mlops predict "text" ["more text" ...] [--model-version V] [--gateway URL]

Sends the texts to the gateway (GATEWAY_URL, default http://localhost:8000) and prints the
response: /predict for one text, /predict/batch for several.

${predictFileUsage.replace('Usage: ', 'Offline: ')}`,
  async run(args, io) {
    if (args.some((arg) => arg === '--file' || arg.startsWith('--file='))) return predictFileCommand.run(args, io);
    const { values, positionals } = parse(args, { 'model-version': { type: 'string' }, gateway: { type: 'string' } });
    if (positionals.length === 0) throw new UsageError('give at least one text to classify');
    const url = gatewayUrl(io.env, values.gateway);
    const single = positionals.length === 1;
    const body = { ...(single ? { text: positionals[0] } : { texts: positionals }), ...(values['model-version'] ? { model_version: values['model-version'] } : {}) };
    let response: Response;
    try {
      response = await fetch(`${url}${single ? '/predict' : '/predict/batch'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (error) {
      io.stderr.write(`mlops predict: cannot reach the gateway at ${url} (${(error as Error).cause ?? (error as Error).message}); is the platform running (npm start)?\n`);
      return 1;
    }
    const answer = (await response.json()) as Record<string, unknown>;
    if (!response.ok) {
      io.stderr.write(`mlops predict: ${response.status} ${answer.error}: ${answer.message}\n`);
      return response.status >= 400 && response.status < 500 ? 2 : 1;
    }
    writeJson(io.stdout, answer);
    return 0;
  },
};
