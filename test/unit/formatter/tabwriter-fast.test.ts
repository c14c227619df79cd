/**
 * The tabwriter's fast path against the full algorithm: tabwrite() must produce the bytes
 * tabwriteGeneric() does for every input, and tabwriteFast() must either agree or decline.
 */
import assert from 'node:assert/strict';

import {
  DOCKER_TABWRITER,
  tabwrite,
  tabwriteFast,
  tabwriteGeneric,
  type TabWriterOptions,
} from '../../../src/formatter/tabwriter.js';
import { Prng } from './prng.js';

const PIECES = [
  'a',
  'bb',
  'xyz',
  'CONTAINER ID',
  '127.0.0.1:5000/lab/busybox:latest',
  '"sleep 1"',
  ' ',
  '  ',
  '日本',
  'ｗｉｄｅ',
  '😀',
  'e\u0301',
  '\u200b',
  '\u00ad',
  '\r',
  '\x1b[1m',
  'ß',
  '\ud800',
];
const ASCII_PIECES = PIECES.filter((p) => /^[\x20-\x7e]+$/.test(p));

/** Fast-path-eligible settings, then settings the fast path must decline. */
const FAST_OPTIONS: TabWriterOptions[] = [
  DOCKER_TABWRITER,
  { minwidth: 0, tabwidth: 0, padding: 1, padchar: ' ' },
  { minwidth: 8, tabwidth: 0, padding: 1, padchar: '.' },
  { minwidth: 3, tabwidth: 4, padding: 0, padchar: '-' },
  { minwidth: 0, tabwidth: 8, padding: 2, padchar: '' },
];
const SLOW_OPTIONS: TabWriterOptions[] = [
  { ...DOCKER_TABWRITER, alignRight: true },
  { ...DOCKER_TABWRITER, debug: true },
  { ...DOCKER_TABWRITER, tabIndent: true },
  { ...DOCKER_TABWRITER, discardEmptyColumns: true },
  { minwidth: 0, tabwidth: 8, padding: 1, padchar: '\t' },
  { minwidth: 2.5, tabwidth: 1, padding: 1, padchar: ' ' },
  { minwidth: 10, tabwidth: 1, padding: Number.NaN, padchar: ' ' },
];

function cell(rng: Prng, ascii: boolean): string {
  if (rng.chance(0.2)) return '';
  let s = '';
  for (let n = 1 + rng.int(3); n > 0; n--) s += rng.pick(ascii ? ASCII_PIECES : PIECES);
  return s;
}

function line(rng: Prng, tabs: number, ascii: boolean): string {
  let s = '';
  for (let j = 0; j < tabs; j++) s += cell(rng, ascii) + '\t';
  // The text after the last tab belongs to no column; often empty, as in Docker's tables.
  return s + (rng.chance(0.5) ? '' : cell(rng, ascii));
}

type Shape = 'runs' | 'ragged' | 'special';

/**
 * 'runs': runs of lines with the same number of tabs, separated by lines without tabs (the fast
 * path's shape); 'ragged': any number of tabs per line; 'special': '\v' and '\f' mixed in.
 */
function table(rng: Prng, shape: Shape): string {
  const ascii = rng.chance(0.5);
  const lines: string[] = [];
  let tabs = 1 + rng.int(6);
  for (let n = 1 + rng.int(12); n > 0; n--) {
    if (shape === 'runs') {
      if (rng.chance(0.12)) {
        lines.push(rng.chance(0.5) ? '' : cell(rng, ascii));
        tabs = 1 + rng.int(6);
        continue;
      }
      lines.push(line(rng, tabs, ascii));
    } else {
      let l = line(rng, rng.int(6), ascii);
      if (shape === 'special' && rng.chance(0.5)) {
        const at = rng.int(l.length + 1);
        l = l.slice(0, at) + rng.pick(['\v', '\f']) + l.slice(at);
      }
      lines.push(l);
    }
  }
  let text = lines.join('\n');
  const end = rng.int(4);
  if (end < 2) text += '\n';
  else if (end === 2) text += '\t';
  return text;
}

function check(text: string, options: TabWriterOptions, what: string): string | undefined {
  const want = tabwriteGeneric(text, options);
  const got = tabwrite(text, options);
  const fast = tabwriteFast(text, options);
  const ctx = `${what}: ${JSON.stringify(text)} with ${JSON.stringify(options)}`;
  assert.equal(got, want, ctx);
  if (fast !== undefined) assert.equal(fast, want, ctx);
  return fast;
}

describe('formatter/tabwriter fast path', () => {
  it('matches the full algorithm on random tables of its shape, and takes them', () => {
    const rng = new Prng(0x7ab1e);
    let taken = 0;
    let takenWide = 0;
    let takenSplit = 0;
    const cases = 3000;
    for (let i = 0; i < cases; i++) {
      const text = table(rng, 'runs');
      const options = rng.pick(FAST_OPTIONS);
      if (check(text, options, `case ${i}`) !== undefined) {
        taken++;
        if (!/^[\x20-\x7e\t\n]*$/.test(text)) takenWide++;
        if (/(^|\n)[^\t\n]*\n[^\n]*\t/.test(text)) takenSplit++;
      }
    }
    // Only runs of different tab counts that touch make it decline.
    assert.ok(taken > cases * 0.6, `fast path taken ${taken}/${cases}`);
    assert.ok(takenWide > cases * 0.2, `wide/zero-width cells taken ${takenWide}`);
    assert.ok(takenSplit > cases * 0.1, `runs split by tab-less lines taken ${takenSplit}`);
  });

  it('matches the full algorithm on ragged tables and with \\v / \\f', () => {
    const rng = new Prng(0x5eed);
    for (let i = 0; i < 3000; i++) {
      const text = table(rng, rng.chance(0.5) ? 'ragged' : 'special');
      check(text, rng.pick(FAST_OPTIONS), `case ${i}`);
    }
  });

  it('matches the full algorithm with settings it leaves to that algorithm', () => {
    const rng = new Prng(0xfa11);
    for (let i = 0; i < 1000; i++) {
      const text = table(rng, rng.pick<Shape>(['runs', 'ragged', 'special']));
      const options = rng.pick(SLOW_OPTIONS);
      assert.equal(tabwriteFast(text, options), undefined);
      check(text, options, `case ${i}`);
    }
  });

  it('declines what it cannot lay out', () => {
    assert.equal(tabwriteFast('a\tb\nc\td\te\n', DOCKER_TABWRITER), undefined);
    assert.equal(tabwriteFast('a\vb\n', DOCKER_TABWRITER), undefined);
    assert.equal(tabwriteFast('a\tb\fc\td\n', DOCKER_TABWRITER), undefined);
  });

  it('lays out runs separated by lines without tabs independently', () => {
    const text = 'a\tb\nno tabs\ncccccccccccc\td\te\n\nx\ty\n';
    const want = 'a         b\nno tabs\ncccccccccccc   d         e\n\nx         y\n';
    assert.equal(tabwriteFast(text, DOCKER_TABWRITER), want);
    assert.equal(tabwriteGeneric(text, DOCKER_TABWRITER), want);
  });

  it('keeps a last line without newline, dropping only an empty last cell', () => {
    assert.equal(tabwriteFast('aa\tb\nc\td\t', DOCKER_TABWRITER), 'aa        b\nc         d');
    assert.equal(tabwriteGeneric('aa\tb\nc\td\t', DOCKER_TABWRITER), 'aa        b\nc         d');
    assert.equal(tabwriteFast('a\t', DOCKER_TABWRITER), 'a');
    assert.equal(tabwriteFast('', DOCKER_TABWRITER), '');
  });

  it('measures wide and zero-width characters in terminal columns', () => {
    const text = '日本\tx\ne\u0301\u200b\ty\n';
    const want = '日本      x\ne\u0301\u200b         y\n';
    assert.equal(tabwriteFast(text, DOCKER_TABWRITER), want);
    assert.equal(tabwriteGeneric(text, DOCKER_TABWRITER), want);
  });
});
