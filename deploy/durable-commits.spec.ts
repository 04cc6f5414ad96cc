import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** `synchronous_commit = off`, `fsync: "off"`, `-c full_page_writes=off` and the like. */
const setting = (name: string) => new RegExp(`${name}['"]?\\s*[:=]\\s*['"]?(off|false|0)\\b`, 'i');

/**
 * An acknowledged message must survive a crash of PostgreSQL: with synchronous_commit off one was
 * lost and its sequence number given to the next message. Nothing we ship may turn commits off.
 */
describe('durable commits', () => {
  const deployment = [...filesUnder(join(root, 'deploy/helm')), ...filesUnder(join(root, 'k8s')), join(root, 'README.md')];

  it.each(['synchronous_commit', 'fsync', 'full_page_writes'])('no deployment default turns %s off', (name) => {
    const offenders = deployment.filter((file) => setting(name).test(readFileSync(file, 'utf8'))).map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });

  it('the test servers of scripts/infra commit synchronously (their server crashes must lose nothing)', () => {
    expect(readFileSync(join(root, 'scripts/infra'), 'utf8')).not.toMatch(/^synchronous_commit\s*=\s*off/m);
  });
});
