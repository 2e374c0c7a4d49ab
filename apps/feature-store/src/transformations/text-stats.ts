/**
 * Per text (keyed by its hash): length, WordPiece token count and OOV rate, and how often it was
 * scored. Shadow copies are left out so that a text counts once per request.
 */
import type { Transformation } from './transformation';

export const textStats: Transformation = {
  name: 'text_stats',
  entityKey: 'text_hash',
  sourceSchemas: ['PredictionLog'],
  windowedAggregates: [],

  features: () => [
    { name: 'length', type: 'int64', description: 'Unicode code points' },
    { name: 'token_count', type: 'int64', description: 'WordPiece tokens, without [CLS] and [SEP]' },
    { name: 'oov_rate', type: 'float64', description: 'share of tokens that are [UNK]' },
    { name: 'seen_count', type: 'int64', description: 'times the text was scored' },
  ],

  fromPrediction(log, profiles) {
    if (log.routing.shadow) return [];
    return profiles.map((profile, index) => ({
      entity: profile.hash,
      eventId: `prediction:${log.requestId}:${index}`,
      eventTime: log.timestamp,
      cumulative: { seen: 1 },
      windowed: {},
      last: { length: profile.length, token_count: profile.tokenCount, oov_rate: profile.oovRate },
    }));
  },

  derive(reader) {
    const number = (field: string) => {
      const value = reader.last(field);
      return value === undefined ? null : Number(value);
    };
    return { length: number('length'), token_count: number('token_count'), oov_rate: number('oov_rate'), seen_count: reader.cumulative('seen') };
  },
};
