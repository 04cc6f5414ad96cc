import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import * as catalogue from '../../libs/contracts/src/events';

/**
 * The parts of docs/ that are derived from code: written by `npm run docs:generate`
 * (scripts/docs/generate.ts) and compared with the code by scripts/docs/docs.spec.ts, so that a
 * page cannot describe an RPC that no longer exists or miss a new one.
 */
export const repoRoot = join(__dirname, '../..');

export interface GrpcMethod {
  service: string;
  name: string;
  request: string;
  response: string;
  /** The comment lines right above the rpc, joined; empty when it has none. */
  summary: string;
}

const RPC = /^\s*rpc\s+(\w+)\s*\(\s*(stream\s+)?([\w.]+)\s*\)\s*returns\s*\(\s*(stream\s+)?([\w.]+)\s*\)/;

/** Every rpc of `proto/atrium/<domain>/v1/*.proto`, in file order. */
export function grpcMethods(domain: string): GrpcMethod[] {
  const dir = join(repoRoot, 'proto/atrium', domain, 'v1');
  const methods: GrpcMethod[] = [];
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.proto'))
    .sort()) {
    let service = '';
    let comment: string[] = [];
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const serviceMatch = /^\s*service\s+(\w+)/.exec(line);
      const rpc = RPC.exec(line);
      if (serviceMatch) service = serviceMatch[1];
      if (rpc) {
        methods.push({
          service,
          name: rpc[1],
          request: `${rpc[2] ? 'stream ' : ''}${rpc[3]}`,
          response: `${rpc[4] ? 'stream ' : ''}${rpc[5]}`,
          summary: comment.join(' '),
        });
      }
      const commentLine = /^\s*\/\/\s?(.*)$/.exec(line);
      // A comment belongs to the rpc right below it; a blank line or a section heading ends it.
      comment = commentLine ? [...comment, commentLine[1].trim()] : [];
    }
  }
  return methods;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function grpcTable(domain: string): string {
  const methods = grpcMethods(domain);
  const services = [...new Set(methods.map((m) => m.service))];
  return services
    .map((service) =>
      [
        `Service \`atrium.${domain}.v1.${service}\`:`,
        '',
        '| method | request → response | what it does |',
        '| --- | --- | --- |',
        ...methods
          .filter((m) => m.service === service)
          .map((m) => `| \`${m.name}\` | \`${m.request}\` → \`${m.response}\` | ${cell(m.summary)} |`),
      ].join('\n'),
    )
    .join('\n\n');
}

/** Every event of the catalogue (`libs/contracts/src/events`) published on the topic of `domain`. */
export function publishedEvents(domain: keyof typeof catalogue.TOPICS): catalogue.EventDefinition[] {
  const isDefinition = (value: unknown): value is catalogue.EventDefinition =>
    typeof value === 'object' && value !== null && 'type' in value && 'topic' in value && 'schema' in value;
  return (Object.values(catalogue) as unknown[])
    .filter(isDefinition)
    .filter((definition) => definition.topic === catalogue.TOPICS[domain])
    .sort((a, b) => a.type.localeCompare(b.type));
}

function payloadFields(definition: catalogue.EventDefinition): string {
  const shape = (definition.schema as unknown as Partial<z.ZodObject<z.ZodRawShape>>).shape;
  return shape
    ? Object.keys(shape)
        .map((field) => `\`${field}\``)
        .join(', ')
    : '';
}

function eventsTable(domain: keyof typeof catalogue.TOPICS): string {
  const events = publishedEvents(domain);
  if (events.length === 0) return `Nothing is published on \`${catalogue.TOPICS[domain]}\` yet.`;
  return [
    `Topic \`${catalogue.TOPICS[domain]}\` (dead letters: \`${catalogue.deadLetterTopic(catalogue.TOPICS[domain])}\`):`,
    '',
    '| event | version | payload |',
    '| --- | --- | --- |',
    ...events.map((e) => `| \`${e.type}\` | ${e.version} | ${payloadFields(e)} |`),
  ].join('\n');
}

export interface GeneratedBlock {
  /** Path from the repository root. */
  file: string;
  name: string;
  render: () => string;
}

const SERVICES = ['gateway', 'directory', 'messaging', 'approval', 'report', 'audit'] as const;

export const GENERATED_BLOCKS: GeneratedBlock[] = [
  ...SERVICES.filter((service) => service !== 'gateway').map((service) => ({
    file: `docs/services/${service}.md`,
    name: `grpc-${service}`,
    render: () => grpcTable(service),
  })),
  ...SERVICES.map((service) => ({
    file: `docs/services/${service}.md`,
    name: `events-${service}`,
    render: () => eventsTable(service),
  })),
];

const begin = (name: string) => `<!-- generated:${name} -->`;
const end = (name: string) => `<!-- end generated:${name} -->`;

/**
 * The page formatted as `prettier --check` wants it. Through its CLI: prettier 3 loads its plugins with
 * a dynamic import, which jest's module system cannot run.
 */
function prettierFormat(file: string, text: string): string {
  return execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--stdin-filepath', file], {
    cwd: repoRoot,
    input: text,
    encoding: 'utf8',
  });
}

/** The text of `file` with every generated block of it rendered afresh, formatted. */
export function regenerate(file: string, text: string): string {
  let result = text;
  for (const block of GENERATED_BLOCKS.filter((b) => b.file === file)) {
    const from = result.indexOf(begin(block.name));
    const to = result.indexOf(end(block.name));
    if (from < 0 || to < from) throw new Error(`${file}: the markers ${begin(block.name)} … ${end(block.name)} are missing`);
    result = `${result.slice(0, from + begin(block.name).length)}\n\n${block.render()}\n\n${result.slice(to)}`;
  }
  return prettierFormat(file, result);
}
