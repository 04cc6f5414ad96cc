import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_BLOCKS, regenerate, repoRoot } from './reference';

/** `npm run docs:generate`: rewrites the parts of docs/ that are derived from code. */
function main(): void {
  for (const file of [...new Set(GENERATED_BLOCKS.map((block) => block.file))]) {
    const path = join(repoRoot, file);
    const before = readFileSync(path, 'utf8');
    const after = regenerate(file, before);
    if (after !== before) {
      writeFileSync(path, after);
      process.stdout.write(`docs: rewrote ${file}\n`);
    }
  }
}

main();
