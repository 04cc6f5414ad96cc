import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  reason: string;
}

/** Fenced code blocks and inline code spans hold examples, not links: blank them out, keeping line numbers. */
function withoutCode(text: string): string {
  return text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/`[^`\n]*`/g, (span) => ' '.repeat(span.length));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const fenced = /^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm;
  for (const match of markdown.replace(fenced, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = match[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/**
 * Relative links of a Markdown file that lead nowhere: a missing file or folder, or an `#anchor`
 * that no heading of the target page has. Links with a scheme (https:, mailto:) are not checked.
 */
export function brokenLinks(root: string, file: string): BrokenLink[] {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  const broken: BrokenLink[] = [];
  const lines = withoutCode(text).split('\n');
  lines.forEach((content, index) => {
    for (const match of content.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved = pathPart === '' ? path : join(dirname(path), decodeURIComponent(pathPart));
      const report = (reason: string) => broken.push({ file, line: index + 1, target, reason });
      if (relative(root, resolved).startsWith('..')) {
        report('leads outside the repository');
      } else if (!existsSync(resolved)) {
        report('no such file');
      } else if (anchor !== undefined && anchor !== '') {
        if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) report('an anchor into something that is not a Markdown page');
        else if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) report(`no heading #${anchor} there`);
      }
    }
  });
  return broken;
}
