/**
 * Which subjects a router has assigned in an experiment, in fixed memory: a Bloom filter, so the
 * sample-ratio check can count subjects (its randomization unit) rather than their requests.
 *
 * A Bloom filter never forgets a subject it saw, and now and then takes a new subject for one it
 * saw (a false positive). That chance is the share of bits set, the same for every subject
 * whatever its variant, so the subjects it misses are missed evenly across variants and the split
 * of the ones it counts stays a fair sample. 2^23 bits (1 MiB) and 6 hashes keep it under 1% up to
 * about 800,000 subjects; past that the count grows more slowly, still evenly.
 */
import { createHash } from 'node:crypto';

const BITS_LOG2 = 23;
const HASHES = 6;

export class SeenSubjects {
  private readonly bits = new Uint8Array(1 << (BITS_LOG2 - 3));

  /** Marks the subject seen; true when it was not seen before (or so the filter believes). */
  add(subjectId: string): boolean {
    const digest = createHash('sha256').update(subjectId, 'utf8').digest();
    let added = false;
    for (let i = 0; i < HASHES; i++) {
      const bit = digest.readUInt32LE(i * 4) >>> (32 - BITS_LOG2);
      const mask = 1 << (bit & 7);
      if ((this.bits[bit >>> 3] & mask) === 0) {
        this.bits[bit >>> 3] |= mask;
        added = true;
      }
    }
    return added;
  }
}
