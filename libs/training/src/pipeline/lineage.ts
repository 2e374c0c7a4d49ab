/** Lineage facts of a run that come from outside the data: the code commit. */
import { execFileSync } from 'node:child_process';

/** The git commit of the checkout at `repoRoot` (with `+dirty` when it has changes), or 'unknown'. */
export function codeCommit(repoRoot: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}
