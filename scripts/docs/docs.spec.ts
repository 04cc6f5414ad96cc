import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { platformEnvSchema } from '@atrium/platform';
import { embeddedEnvSchema } from '../../apps/atrium/src/embedded-config';
import { approvalEnvSchema } from '../../services/approval/src/config';
import { auditCliEnvSchema, auditEnvSchema } from '../../services/audit/src/config';
import { directoryEnvSchema } from '../../services/directory/src/config';
import { gatewayEnvSchema } from '../../services/gateway/src/config';
import { messagingEnvSchema } from '../../services/messaging/src/config';
import { reportEnvSchema } from '../../services/report/src/config';
import { brokenLinks } from './markdown-links';
import { GENERATED_BLOCKS, regenerate, repoRoot } from './reference';

const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const tracked = (...patterns: string[]) =>
  execFileSync('git', ['ls-files', '--', ...patterns], { cwd: repoRoot, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

/** The pages a newcomer reads: the front page, docs/, and the READMEs they link to. */
const pages = () => [...new Set(['README.md', ...tracked('docs/*.md', 'docs/**/*.md'), 'bench/README.md', 'k8s/README.md'])];

describe('the documentation in the repository', () => {
  it('has no relative link that leads nowhere (a file, a folder or a heading)', () => {
    const broken = pages().flatMap((file) => brokenLinks(repoRoot, file));
    expect(broken.map((b) => `${b.file}:${b.line} (${b.target}): ${b.reason}`)).toEqual([]);
  });

  it('points to no folder beside the repository (such as a shared notes folder)', () => {
    const outside = ['..', 'shared'].join('/');
    const offenders = tracked('*.md', '*.ts', '*.json', '*.yaml', 'scripts/*').filter((file) => read(file).includes(outside));
    expect(offenders).toEqual([]);
  });

  it.each([...new Set(GENERATED_BLOCKS.map((block) => block.file))])(
    '%s: its generated tables are what `npm run docs:generate` writes from the code',
    (file) => {
      const text = read(file);
      expect(regenerate(file, text)).toBe(text);
    },
  );
});

describe('docs/configuration.md', () => {
  /** Variables whose name appears in some code but that Atrium does not read as configuration. */
  const NOT_CONFIGURATION = new Map([
    ['PATH', "the system's, handed on to child processes"],
    ['CRASH', 'a test fixture switch, set by its own test (apps/atrium/test/fixtures/relay-once.ts)'],
    ['GOFLAGS', "Go's own, passed through when scripts/tools build a test server"],
  ]);

  const schemas: z.ZodObject<z.ZodRawShape>[] = [
    platformEnvSchema,
    embeddedEnvSchema,
    gatewayEnvSchema,
    messagingEnvSchema,
    auditEnvSchema,
    auditCliEnvSchema,
    directoryEnvSchema,
    approvalEnvSchema,
    reportEnvSchema,
  ];

  /** name → the default value the code gives it (undefined when it has none or none to compare). */
  function variablesInCode(): Map<string, string | undefined> {
    const found = new Map<string, string | undefined>();
    const add = (name: string, fallback?: string) => {
      if (!NOT_CONFIGURATION.has(name) && (found.get(name) === undefined || fallback !== undefined)) found.set(name, fallback);
    };
    for (const schema of schemas) {
      for (const [name, field] of Object.entries(schema.shape)) {
        const parsed = (field as z.ZodType).safeParse(undefined);
        const value = parsed.success ? parsed.data : undefined;
        add(name, ['string', 'number', 'boolean'].includes(typeof value) && value !== '' ? String(value) : undefined);
      }
    }
    for (const file of tracked('*.ts').filter((f) => !f.startsWith('libs/contracts/src/gen/'))) {
      const source = read(file);
      for (const match of source.matchAll(/process\.env(?:\.|\[['"])([A-Z][A-Z0-9_]*)/g)) add(match[1]);
      // Schemas that are not exported (start-services.ts) are read from their source.
      for (const match of source.matchAll(/^\s+([A-Z][A-Z0-9_]{2,}):\s*(?:env\.|z\b)/gm)) add(match[1]);
    }
    for (const script of ['scripts/infra', ...tracked('scripts/tools/*')]) {
      for (const match of read(script).matchAll(/\$\{([A-Z][A-Z0-9_]*):-([^}]*)\}/g)) add(match[1], match[2] === '' ? undefined : match[2]);
    }
    return found;
  }

  /** name → the default cells of every table row that names it. */
  function variablesInDocs(): Map<string, string[]> {
    const rows = new Map<string, string[]>();
    for (const line of read('docs/configuration.md').split('\n')) {
      const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
      if (!line.startsWith('|') || cells.length < 4) continue;
      for (const [, name] of cells[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)) rows.set(name, [...(rows.get(name) ?? []), cells[2]]);
    }
    return rows;
  }

  it('has a row for every variable the code reads', () => {
    const documented = variablesInDocs();
    expect([...variablesInCode().keys()].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('has no row for a variable that no code reads', () => {
    const inCode = variablesInCode();
    expect([...variablesInDocs().keys()].filter((name) => !inCode.has(name)).sort()).toEqual([]);
  });

  it('shows the default the code gives each variable', () => {
    const documented = variablesInDocs();
    const wrong = [...variablesInCode()]
      .filter(([name, fallback]) => fallback !== undefined && documented.has(name))
      .filter(([name, fallback]) => !documented.get(name)!.some((cell) => cell.includes(`\`${fallback}\``)))
      .map(([name, fallback]) => `${name}: the code's default is ${fallback}, the page says ${documented.get(name)!.join(' / ')}`);
    expect(wrong).toEqual([]);
  });
});
