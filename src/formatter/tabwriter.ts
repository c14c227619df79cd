/**
 * A port of Go's text/tabwriter (elastic tabstops) as forked by docker/cli, whose one change is
 * measuring cells in terminal columns (go-runewidth) rather than runes. Docker's tables are
 * `NewWriter(out, 10, 1, 3, ' ', 0)`: minwidth 10, tabwidth 1, padding 3.
 *
 * Cells are tab-terminated, not tab-separated: the text after the last tab of a line is not part
 * of any column, and a column block only spans contiguous lines that have a cell in it.
 */

export interface TabWriterOptions {
  /** Minimal cell width including any padding. */
  minwidth: number;
  /** Width of a tab character, used when padding with tabs. */
  tabwidth: number;
  /** Padding added to a cell before computing its width. */
  padding: number;
  /** ASCII padding character; '\t' pads with tabs and forces left alignment. */
  padchar: string;
  alignRight?: boolean;
  /** Drop columns made only of empty, '\v'-terminated cells. */
  discardEmptyColumns?: boolean;
  /** Pad leading empty cells with tabs whatever padchar is. */
  tabIndent?: boolean;
  /** Print '|' between columns. */
  debug?: boolean;
}

/** docker/cli's table settings. */
export const DOCKER_TABWRITER: Readonly<TabWriterOptions> = Object.freeze({
  minwidth: 10,
  tabwidth: 1,
  padding: 3,
  padchar: ' ',
});

interface Cell {
  text: string;
  width: number;
  htab: boolean;
}

function isZeroWidth(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp < 0xa0) ||
    cp === 0xad ||
    (cp >= 0x300 && cp <= 0x36f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const CELL_END = /[\t\v\n\f]/g;

/** Terminal columns of a string: East Asian wide characters take two, combining marks none. */
export function stringWidth(s: string): number {
  // Tables are nearly all printable ASCII; a native test spares the per-character loop, which in
  // a short-lived CLI process runs interpreted.
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (isZeroWidth(cp)) continue;
    w += isWide(cp) ? 2 : 1;
  }
  return w;
}

function resolveOptions(options: TabWriterOptions): Required<TabWriterOptions> {
  if (options.minwidth < 0 || options.tabwidth < 0 || options.padding < 0) {
    throw new RangeError('negative minwidth, tabwidth, or padding');
  }
  const opts: Required<TabWriterOptions> = {
    alignRight: false,
    discardEmptyColumns: false,
    tabIndent: false,
    debug: false,
    ...options,
  };
  if (opts.padchar === '\t') opts.alignRight = false;
  return opts;
}

export class TabWriter {
  private readonly opts: Required<TabWriterOptions>;
  private out = '';
  private cell: Cell = { text: '', width: 0, htab: false };
  private lines: Cell[][] = [[]];
  private widths: number[] = [];

  constructor(options: TabWriterOptions = DOCKER_TABWRITER) {
    this.opts = resolveOptions(options);
  }

  write(text: string): void {
    let start = 0;
    CELL_END.lastIndex = 0;
    for (let m = CELL_END.exec(text); m; m = CELL_END.exec(text)) {
      const i = m.index;
      const ch = m[0];
      this.appendText(text.slice(start, i));
      start = i + 1;
      const ncells = this.terminateCell(ch === '\t');
      if (ch === '\n' || ch === '\f') {
        this.lines.push([]);
        // A one-cell line cannot influence later columns, so Go flushes there; '\f' always does.
        if (ch === '\f' || ncells === 1) {
          this.flushInternal();
          if (ch === '\f' && this.opts.debug) this.out += '---\n';
        }
      }
    }
    this.appendText(text.slice(start));
  }

  /** Formats everything buffered and returns the output produced since the last flush. */
  flush(): string {
    this.flushInternal();
    const out = this.out;
    this.out = '';
    return out;
  }

  private appendText(s: string): void {
    if (s === '') return;
    this.cell.text += s;
    this.cell.width += stringWidth(s);
  }

  private terminateCell(htab: boolean): number {
    this.cell.htab = htab;
    const line = this.lines[this.lines.length - 1]!;
    line.push(this.cell);
    this.cell = { text: '', width: 0, htab: false };
    return line.length;
  }

  private flushInternal(): void {
    if (this.cell.text.length > 0) this.terminateCell(false);
    this.format(0, this.lines.length);
    this.lines = [[]];
    this.widths = [];
    this.cell = { text: '', width: 0, htab: false };
  }

  private writePadding(textw: number, cellw: number, useTabs: boolean): void {
    const { padchar, tabwidth } = this.opts;
    if (padchar === '\t' || useTabs) {
      if (tabwidth === 0) return;
      const rounded = Math.ceil(cellw / tabwidth) * tabwidth;
      const n = rounded - textw;
      this.out += '\t'.repeat(Math.ceil(n / tabwidth));
      return;
    }
    this.out += padchar.repeat(Math.max(cellw - textw, 0));
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]!;
      let useTabs = this.opts.tabIndent;
      for (let j = 0; j < line.length; j++) {
        const c = line[j]!;
        if (j > 0 && this.opts.debug) this.out += '|';
        if (c.text.length === 0) {
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, useTabs);
          continue;
        }
        useTabs = false;
        if (!this.opts.alignRight) {
          this.out += c.text;
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, false);
        } else {
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, false);
          this.out += c.text;
        }
      }
      if (i + 1 === this.lines.length) {
        // The last buffered line has no newline yet; emit its pending text as is.
        this.out += this.cell.text;
      } else {
        this.out += '\n';
      }
    }
  }

  // Same recursion as Go's format(): each level fixes the width of one more column for the
  // block of contiguous lines that have a cell in it.
  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let row = line0; row < line1; row++) {
      let line = this.lines[row]!;
      if (column >= line.length - 1) continue;
      this.writeLines(line0, row);
      line0 = row;
      let width = this.opts.minwidth;
      let discardable = true;
      for (; row < line1; row++) {
        line = this.lines[row]!;
        if (column >= line.length - 1) break;
        const c = line[column]!;
        const w = c.width + this.opts.padding;
        if (w > width) width = w;
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && this.opts.discardEmptyColumns) width = 0;
      this.widths.push(width);
      this.format(line0, row);
      this.widths.pop();
      line0 = row;
    }
    this.writeLines(line0, line1);
  }
}

/** Runs `text` through a tabwriter and flushes it. */
export function tabwrite(text: string, options: TabWriterOptions = DOCKER_TABWRITER): string {
  return tabwriteFast(text, options) ?? tabwriteGeneric(text, options);
}

/** @internal The full algorithm whatever the input; tests compare the fast path to it. */
export function tabwriteGeneric(
  text: string,
  options: TabWriterOptions = DOCKER_TABWRITER,
): string {
  const tw = new TabWriter(options);
  tw.write(text);
  return tw.flush();
}

const PRINTABLE_TABLE = /^[\x20-\x7e\t\n]*$/;
const VT_OR_FF = /[\v\f]/;

/**
 * @internal The common table in one pass per line, or undefined when the input needs the full
 * algorithm (exported for tests).
 *
 * It covers left-aligned, space-padded output (no debug, tabIndent or discardEmptyColumns) of
 * text without '\v' or '\f', where the lines between lines without tabs all have the same number
 * of tab-terminated cells. That is enough to match format() exactly:
 * - a line without tab-terminated cells (one cell) makes the generic writer flush, so the runs
 *   between such lines are laid out independently, and such a line is written as is;
 * - within a run where every line has k tab-terminated cells, every column 0..k-1 is one block
 *   spanning the run, so its width is max(minwidth, widest cell + padding), and each line is
 *   written with its k cells padded to those widths and its last cell (the text after the last
 *   tab) as is.
 * The last line has no newline; as in flushInternal, its text after the last tab is a cell only
 * when it is not empty.
 */
export function tabwriteFast(text: string, options: TabWriterOptions): string | undefined {
  const opts = resolveOptions(options);
  if (opts.alignRight || opts.debug || opts.tabIndent || opts.discardEmptyColumns) return undefined;
  if (opts.padchar === '\t') return undefined;
  // Whole widths keep every pad count a non-negative integer, so no clamping is needed below.
  const { minwidth, padding, padchar } = opts;
  if (!Number.isSafeInteger(minwidth) || !Number.isSafeInteger(padding)) return undefined;
  // Cells of printable ASCII are as wide as they are long; anything else is measured as the
  // generic writer does, and only '\v' and '\f' change the layout rules.
  const ascii = PRINTABLE_TABLE.test(text);
  if (!ascii && VT_OR_FF.test(text)) return undefined;

  const lines = text.split('\n');
  const nlines = lines.length;
  const rows: string[][] = new Array<string[]>(nlines);
  for (let i = 0; i < nlines; i++) rows[i] = lines[i]!.split('\t');
  const last = rows[nlines - 1]!;
  if (last[last.length - 1] === '') last.pop();

  const pads: string[] = [];
  let out = '';
  let i = 0;
  while (i < nlines) {
    const k = rows[i]!.length - 1;
    if (k <= 0) {
      // No column here; an empty last line has no cell at all.
      if (k === 0) out += rows[i]![0];
      if (i < nlines - 1) out += '\n';
      i++;
      continue;
    }
    // A run of lines with k tab-terminated cells; any other count but 0 needs format().
    let end = i + 1;
    for (; end < nlines; end++) {
      const n = rows[end]!.length - 1;
      if (n !== k) {
        if (n > 0) return undefined;
        break;
      }
    }
    const widths: number[] = new Array<number>(k).fill(minwidth);
    for (let r = i; r < end; r++) {
      const cells = rows[r]!;
      for (let j = 0; j < k; j++) {
        const w = (ascii ? cells[j]!.length : stringWidth(cells[j]!)) + padding;
        if (w > widths[j]!) widths[j] = w;
      }
    }
    for (; i < end; i++) {
      const cells = rows[i]!;
      for (let j = 0; j < k; j++) {
        const cell = cells[j]!;
        const n = widths[j]! - (ascii ? cell.length : stringWidth(cell));
        out += cell + (pads[n] ??= padchar.repeat(n));
      }
      out += cells[k];
      if (i < nlines - 1) out += '\n';
    }
  }
  return out;
}
