/**
 * Docker's json-file log format, written by berth for the streams it copies (src/container/io.ts)
 * and by the detached containers' logger process (src/logger-entry.ts). Imports nothing: the
 * logger lives as long as its container, so what it loads is the per-container cost.
 */

/** RFC3339Nano like Go's time.Format(time.RFC3339Nano): UTC, trailing zeros of the fraction trimmed. */
// Computed on first use, not at load: the start-up snapshot loads this module at build time.
let hrBase: bigint | undefined;
export function nowRfc3339Nano(): string {
  hrBase ??= BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  const ns = hrBase + process.hrtime.bigint();
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, frac ? `.${frac}Z` : 'Z');
}

export type LogStream = 'stdout' | 'stderr';

/** Docker splits lines longer than 16 KiB. */
const MAX_ENTRY = 16384;

/**
 * Turns decoded output into json-file lines: one JSON object per output line (`log` keeps the
 * `\n`), stamped when the chunk arrived; a partial line is held until its newline arrives or the
 * stream ends.
 */
export class JsonFileEncoder {
  private readonly partial: Record<LogStream, string> = { stdout: '', stderr: '' };

  /** The lines `chunk` completes; with `final`, the stream's held tail too. */
  encode(stream: LogStream, chunk: string, final = false): string {
    let text = this.partial[stream] + chunk;
    let out = '';
    const time = nowRfc3339Nano();
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
      out += `${JSON.stringify({ log: text.slice(0, nl + 1), stream, time })}\n`;
      text = text.slice(nl + 1);
    }
    while (text.length >= MAX_ENTRY || (final && text.length > 0)) {
      out += `${JSON.stringify({ log: text.slice(0, MAX_ENTRY), stream, time })}\n`;
      text = text.slice(MAX_ENTRY);
    }
    this.partial[stream] = text;
    return out;
  }

  /** Both streams' held partial lines (without a newline, as Docker writes them at EOF). */
  flush(): string {
    return this.encode('stdout', '', true) + this.encode('stderr', '', true);
  }
}
