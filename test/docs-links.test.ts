import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The documentation a newcomer reads: README.md, docs/*.md (docs/configuration.md
// included: generated, but read like the rest), and the other guides the README
// maps. Every relative link must name a file of this repository, and every
// #anchor a heading of its target, as GitHub renders them. Plain Node: no
// build, no database, no network.
const ROOT = resolve(import.meta.dirname, '..');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
  'CONTRIBUTING.md',
  'test/reliability/README.md',
];
const README_MAX_LINES = 200;

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The text with fenced code blocks blanked (line numbers kept): a `# comment` in a shell block is no heading. */
function withoutFences(markdown: string): string {
  let fence: string | null = null;
  return markdown
    .split('\n')
    .map((line) => {
      const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === null && marker) {
        fence = marker;
        return '';
      }
      if (fence !== null) {
        if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
        return '';
      }
      return line;
    })
    .join('\n');
}

/** The text without code at all: a `[x](y)` inside backticks is no link. */
function withoutCode(markdown: string): string {
  return withoutFences(markdown)
    .replace(/``[\s\S]*?``/g, '')
    .replace(/`[^`\n]*`/g, '');
}

/** A heading's anchor as GitHub makes it (github-slugger): lower case, punctuation dropped, spaces to hyphens. */
function slugOf(heading: string): string {
  return heading
    .trim()
    .replace(/<[^>]*>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its headings' slugs (repeats numbered as GitHub does) and explicit ids. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const text = withoutFences(markdown);
  for (const line of text.split('\n')) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = slugOf(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const match of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  return anchors;
}

/** Every link target of a Markdown file, inline (`[text](target)`, images too) and reference definitions, with its line. */
function linksOf(markdown: string): Array<{ target: string; line: number }> {
  const text = withoutCode(markdown);
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const links: Array<{ target: string; line: number }> = [];
  for (const match of text.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
    links.push({ target: match[1]!.replace(/^<|>$/g, ''), line: lineAt(match.index ?? 0) });
  }
  for (const match of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*(\S+)/gm)) {
    links.push({ target: match[1]!.replace(/^<|>$/g, ''), line: lineAt(match.index ?? 0) });
  }
  return links;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** What is wrong with one file's relative links: a missing file, a path outside the repository, an anchor no heading has. */
function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  for (const { target, line } of linksOf(read(file))) {
    if (isExternal(target)) continue;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
    const where = `${file}:${line} → ${target}`;
    const resolved = pathPart === '' ? join(ROOT, file) : resolve(ROOT, dirname(file), pathPart);
    const inRepository = relative(ROOT, resolved);
    if (inRepository.startsWith(`..${sep}`) || inRepository === '..') {
      problems.push(`${where}: points outside the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      problems.push(`${where}: no such file`);
      continue;
    }
    if (anchor === null) continue;
    if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) {
      problems.push(`${where}: an anchor into a file that is not Markdown`);
      continue;
    }
    if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
      problems.push(`${where}: no heading with the anchor #${anchor} in ${relative(ROOT, resolved)}`);
    }
  }
  return problems;
}

describe('the link checker itself', () => {
  it("makes GitHub's anchors", () => {
    expect(slugOf('Over plain HTTP (Unity, curl, any language)')).toBe('over-plain-http-unity-curl-any-language');
    expect(slugOf('The sample game (apps/minigame)')).toBe('the-sample-game-appsminigame');
    expect(slugOf('Operating: pnpm admin')).toBe('operating-pnpm-admin');
    expect(slugOf('/healthz and /readyz')).toBe('healthz-and-readyz');
    expect(slugOf('In WeChat DevTools against `pnpm dev`')).toBe('in-wechat-devtools-against-pnpm-dev');
    expect(slugOf('HTTPS and a whitelisted domain (WeChat requires both)')).toBe('https-and-a-whitelisted-domain-wechat-requires-both');
    expect(slugOf('Login → tokens, `auth.wechatLogin`')).toBe('login--tokens-authwechatlogin');
  });

  it('numbers repeated headings, and ignores headings and links inside code', () => {
    const markdown = [
      '# Title',
      '## Notes',
      '## Notes',
      '```sh',
      '# 1. not a heading',
      '[not](a-link.md)',
      '```',
      'See `[x](y.md)` and [real](z.md#notes-1).',
    ].join('\n');
    expect([...anchorsOf(markdown)]).toEqual(['title', 'notes', 'notes-1']);
    expect(linksOf(markdown)).toEqual([{ target: 'z.md#notes-1', line: 8 }]);
  });
});

describe('the documentation', () => {
  it(`keeps README.md under ${README_MAX_LINES} lines`, () => {
    const text = read('README.md');
    const lines = text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
    expect(lines).toBeLessThan(README_MAX_LINES);
  });

  it.each(DOCS)('%s: every relative link names a file of the repository, every #anchor a heading of it', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it.each(DOCS)('%s: points nowhere outside the repository (no ../shared/)', (file) => {
    expect(read(file)).not.toMatch(/\.\.\/shared\//);
  });
});
