import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';

/**
 * Make a file or directory read-only for this process, for real: the file mode for a normal user;
 * root ignores modes, so as root the immutable attribute (chattr +i) is set. Returns how to undo it.
 */
export function makeReadOnly(path: string): () => void {
  if (process.getuid?.() !== 0) {
    chmodSync(path, 0o555);
    return () => chmodSync(path, 0o755);
  }
  execFileSync('chattr', ['+i', path]);
  return () => execFileSync('chattr', ['-i', path]);
}
