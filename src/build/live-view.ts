/**
 * `berth build` on a terminal: a compact live view (one ora spinner line for the running step,
 * one settled line per finished step, the running RUN's latest output line beside it) drawn
 * from the classic builder's own output lines, so the plain output (off a terminal, -q,
 * --progress=plain) stays the one source of truth. A failing RUN's whole output is printed, as
 * the plain output would have shown it.
 */
import type { Ora } from 'ora';

const STEP = /^Step (\d+\/\d+) : (.*)$/;
const ID = /^ ---> ([0-9a-f]{12})$/;

export class BuildLiveView {
  private spinner: Ora | undefined;
  private pending = '';
  private step: { label: string; cached: boolean } | undefined;
  private runOutput: string[] = [];
  private runTail = '';
  private stopped = false;

  private constructor(private readonly stream: NodeJS.WritableStream) {}

  static async start(stream: NodeJS.WritableStream): Promise<BuildLiveView> {
    const view = new BuildLiveView(stream);
    const ora = (await import('ora')).default;
    view.spinner = ora({
      stream: stream as NodeJS.WritableStream & { isTTY: true },
      discardStdin: false,
      text: 'Preparing the build context',
    }).start();
    return view;
  }

  /** Classic output text (any chunking). */
  write(text: string): void {
    this.pending += text;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).replace(/\r+$/, '');
      this.pending = this.pending.slice(nl + 1);
      this.line(line);
    }
  }

  /** A RUN step's own output: kept for a failure, its last line shown while it runs. */
  process(text: string): void {
    this.runOutput.push(text);

    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    const last = plain
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .at(-1);
    if (last !== undefined && this.step) {
      this.runTail = last;
      this.setText();
    }
  }

  private setText(): void {
    if (!this.spinner || !this.step) return;
    const cols = (this.stream as { columns?: number }).columns ?? 80;
    const tail = this.runTail ? `  ${this.runTail}` : '';
    const text = `${this.step.label}${tail}`;
    this.spinner.text = text.length > cols - 4 ? `${text.slice(0, cols - 5)}…` : text;
  }

  private settle(symbol: string, id?: string): void {
    if (!this.step || !this.spinner) return;
    const note = this.step.cached ? ' (cached)' : '';
    this.spinner.stopAndPersist({
      symbol,
      text: `${this.step.label}${note}${id ? ` → ${id}` : ''}`,
    });
    this.step = undefined;
    this.runTail = '';
    this.runOutput = [];
    this.spinner.start('');
  }

  private line(line: string): void {
    if (this.stopped) {
      this.stream.write(`${line}\n`);
      return;
    }
    const step = STEP.exec(line);
    if (step) {
      this.settle('✔');
      this.step = { label: `[${step[1]}] ${step[2]}`, cached: false };
      this.setText();
      return;
    }
    if (line === ' ---> Using cache') {
      if (this.step) this.step.cached = true;
      return;
    }
    const id = ID.exec(line);
    if (id) {
      this.settle('✔', id[1]);
      return;
    }
    if (line.startsWith(' ---> Running in ') || line.startsWith('Removing intermediate')) return;
    this.spinner?.clear();
    this.stream.write(`${line}\n`);
    this.spinner?.render();
  }

  /** The build is over: the spinner goes; on failure the failing step is marked and its output shown. */
  stop(failed: boolean): void {
    if (this.stopped) return;
    if (this.pending) this.line(this.pending);
    this.pending = '';
    if (failed) {
      const output = this.runOutput.join('');
      this.settle('✖');
      if (output) this.stream.write(output.endsWith('\n') ? output : `${output}\n`);
    } else {
      this.settle('✔');
    }
    this.spinner?.stop();
    this.stopped = true;
  }
}
