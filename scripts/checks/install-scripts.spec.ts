import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const read = (file: string): unknown => JSON.parse(readFileSync(join(root, file), 'utf8'));

/** The package name of a lockfile key: `node_modules/a/node_modules/@s/b` → `@s/b`. */
const packageName = (key: string) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);

/**
 * npm 11 warns about every dependency whose install script `allowScripts` in package.json does not
 * decide (and a later npm blocks them). Each one is decided there, so a fresh `npm ci` is quiet and
 * runs the same scripts on every machine; docs/testing.md says why each is allowed or denied.
 */
describe('install scripts of dependencies', () => {
  const lock = read('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
  const decided = Object.keys((read('package.json') as { allowScripts?: Record<string, boolean> }).allowScripts ?? {});
  const withScripts = [
    ...new Set(
      Object.entries(lock.packages)
        .filter(([key, entry]) => key !== '' && entry.hasInstallScript)
        .map(([key]) => packageName(key)),
    ),
  ].sort();

  it('every dependency with an install script is allowed or denied in package.json', () => {
    expect(withScripts.filter((name) => !decided.includes(name))).toEqual([]);
  });

  it('package.json decides no package that has no install script any more', () => {
    expect(decided.filter((name) => !withScripts.includes(name))).toEqual([]);
  });
});
