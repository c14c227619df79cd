import assert from 'node:assert/strict';

import {
  DOCKER_TABWRITER,
  stringWidth,
  TabWriter,
  tabwrite,
  type TabWriterOptions,
} from '../../../src/formatter/tabwriter.js';

// Verbatim `docker ps` / `docker images` output recorded with Docker CLI 28.2.2.
const PS = [
  'CONTAINER ID   IMAGE                               COMMAND        CREATED         STATUS         PORTS     NAMES',
  '755b9dad1654   127.0.0.1:5000/lab/busybox:latest   "sleep 3600"   3 seconds ago   Up 2 seconds             lab-running',
  '',
].join('\n');

const PS_A = [
  'CONTAINER ID   IMAGE                               COMMAND            CREATED         STATUS                     PORTS     NAMES',
  '3ec264ae9158   127.0.0.1:5000/lab/busybox:latest   "echo created"     2 seconds ago   Created                              lab-created',
  `b337db515e03   127.0.0.1:5000/lab/busybox:latest   "sh -c 'exit 3'"   3 seconds ago   Exited (3) 2 seconds ago             lab-exited`,
  '755b9dad1654   127.0.0.1:5000/lab/busybox:latest   "sleep 3600"       3 seconds ago   Up 2 seconds                         lab-running',
  '',
].join('\n');

const IMAGES = [
  'REPOSITORY                   TAG       IMAGE ID       CREATED       SIZE',
  '127.0.0.1:5000/lab/busybox   latest    0e525d14b193   2 years ago   1.98MB',
  '',
].join('\n');

function cells(...rows: string[][]): string {
  return rows.map((r) => r.join('\t') + '\n').join('');
}

const dots: TabWriterOptions = { minwidth: 8, tabwidth: 0, padding: 1, padchar: '.' };
const tight: TabWriterOptions = { minwidth: 0, tabwidth: 0, padding: 1, padchar: ' ' };

describe('formatter/tabwriter', () => {
  describe('Docker settings (minwidth 10, tabwidth 1, padding 3)', () => {
    it('uses docker/cli parameters', () => {
      assert.deepEqual(
        { ...DOCKER_TABWRITER },
        { minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ' },
      );
    });
    it('reproduces `docker ps`, including the empty PORTS column at minimum width', () => {
      const input = cells(
        ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
        [
          '755b9dad1654',
          '127.0.0.1:5000/lab/busybox:latest',
          '"sleep 3600"',
          '3 seconds ago',
          'Up 2 seconds',
          '',
          'lab-running',
        ],
      );
      assert.equal(tabwrite(input), PS);
    });
    it('reproduces `docker ps -a`', () => {
      const input = cells(
        ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
        [
          '3ec264ae9158',
          '127.0.0.1:5000/lab/busybox:latest',
          '"echo created"',
          '2 seconds ago',
          'Created',
          '',
          'lab-created',
        ],
        [
          'b337db515e03',
          '127.0.0.1:5000/lab/busybox:latest',
          `"sh -c 'exit 3'"`,
          '3 seconds ago',
          'Exited (3) 2 seconds ago',
          '',
          'lab-exited',
        ],
        [
          '755b9dad1654',
          '127.0.0.1:5000/lab/busybox:latest',
          '"sleep 3600"',
          '3 seconds ago',
          'Up 2 seconds',
          '',
          'lab-running',
        ],
      );
      assert.equal(tabwrite(input), PS_A);
    });
    it('reproduces `docker images` (TAG padded up to the minimum width)', () => {
      const input = cells(
        ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
        ['127.0.0.1:5000/lab/busybox', 'latest', '0e525d14b193', '2 years ago', '1.98MB'],
      );
      assert.equal(tabwrite(input), IMAGES);
    });
    it('leaves the last cell of each line out of the column widths', () => {
      assert.equal(
        tabwrite('x\tlongtextlongtext\nyy\tz\n'),
        'x         longtextlongtext\nyy        z\n',
      );
    });
    it('pads a trailing empty column but not the last cell', () => {
      assert.equal(tabwrite('a\t\nbb\t\n'), 'a         \nbb        \n');
    });
    it('pads empty leading cells to the column width', () => {
      assert.equal(tabwrite('\tx\nabc\ty\n'), '          x\nabc       y\n');
    });
    it('starts a new column block after a line without tabs', () => {
      assert.equal(
        tabwrite('a\tb\nno tabs here\nccccccccccccccc\td\n'),
        'a         b\nno tabs here\nccccccccccccccc   d\n',
      );
    });
    it('ends a column where a shorter line interrupts it', () => {
      // Column 1 exists in lines 0 and 2 only; line 1 ends the first block.
      assert.equal(
        tabwrite('a\tbbbbbbbbbbbbbbbb\tc\nx\ty\nz\tb\tc\n'),
        'a         bbbbbbbbbbbbbbbb   c\nx         y\nz         b         c\n',
      );
    });
    it('measures East Asian wide characters as two columns', () => {
      assert.equal(tabwrite('日本\tx\nab\ty\n'), '日本      x\nab        y\n');
    });
    it('keeps text without a final newline', () => {
      assert.equal(tabwrite('a\tb\ncc\td'), 'a         b\ncc        d');
    });
    it('gives the same result when written in pieces', () => {
      const tw = new TabWriter();
      tw.write('a\tb');
      tw.write('b\nccccccccccccc');
      tw.write('\td\n');
      assert.equal(tw.flush(), tabwrite('a\tbb\nccccccccccccc\td\n'));
    });
  });

  describe('Go text/tabwriter semantics', () => {
    it('aligns with a visible padchar', () => {
      assert.equal(
        tabwrite('a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n', dots),
        'a.......b.......c\naa......bbb.....cccc\naaa.....bbbb\n',
      );
    });
    it('pads a lone tab-terminated cell to minwidth only when a later cell follows', () => {
      assert.equal(tabwrite('*\t*', dots), '*.......*');
      assert.equal(tabwrite('\t', dots), '');
    });
    it('aligns right', () => {
      assert.equal(
        tabwrite('a\tbbb\tc\naaa\tb\tc\n', { ...tight, alignRight: true }),
        '   a bbbc\n aaa   bc\n',
      );
    });
    it('pads with tabs when padchar is a tab', () => {
      const opts: TabWriterOptions = { minwidth: 0, tabwidth: 8, padding: 1, padchar: '\t' };
      assert.equal(tabwrite('a\tb\naaaaaaaaa\tb\n', opts), 'a\t\tb\naaaaaaaaa\tb\n');
    });
    it('draws column separators in debug mode', () => {
      assert.equal(tabwrite('a\tb\tc\n', { ...tight, debug: true }), 'a |b |c\n');
    });
    it('discards empty soft columns when asked', () => {
      assert.equal(tabwrite('a\v\vb\n', tight), 'a  b\n');
      assert.equal(tabwrite('a\v\vb\n', { ...tight, discardEmptyColumns: true }), 'a b\n');
    });
    it('treats a form feed as a line break that ends every column block', () => {
      assert.equal(tabwrite('aaaaaaaaaaaa\tb\fc\td\n'), 'aaaaaaaaaaaa   b\nc         d\n');
      assert.equal(tabwrite('aaaaaaaaaaaa\tb\nc\td\n'), 'aaaaaaaaaaaa   b\nc              d\n');
    });
    it('rejects negative settings', () => {
      assert.throws(() => new TabWriter({ ...tight, padding: -1 }), RangeError);
    });
  });

  describe('stringWidth', () => {
    it('counts terminal columns', () => {
      assert.equal(stringWidth('abc'), 3);
      assert.equal(stringWidth('日本'), 4);
      assert.equal(stringWidth('e\u0301'), 1);
      assert.equal(stringWidth('😀'), 2);
      assert.equal(stringWidth(''), 0);
    });
  });
});
