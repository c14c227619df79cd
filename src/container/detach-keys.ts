/**
 * Docker's detach keys (`--detach-keys`, default Ctrl-P Ctrl-Q): a key sequence typed on an
 * attached terminal that leaves the container running and ends the client.
 */
import { BerthError } from '../errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CTRL_SPECIAL: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

/** `ctrl-p,ctrl-q` → bytes, with Docker's rules (single characters, or ctrl-<a-z@[\]^_>). */
export function parseDetachKeys(spec: string): Buffer {
  const out: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim().toLowerCase();
    if (k.length === 1) {
      out.push(key.trim().charCodeAt(0));
      continue;
    }
    const m = /^ctrl-(.)$/.exec(k);
    const c = m?.[1];
    if (c && c >= 'a' && c <= 'z') out.push(c.charCodeAt(0) - 96);
    else if (c !== undefined && c in CTRL_SPECIAL) out.push(CTRL_SPECIAL[c]!);
    else throw new BerthError(`Invalid detach keys (${spec}) provided`, { exitCode: 125 });
  }
  return Buffer.from(out);
}

/**
 * Passes input through, holding back bytes that may start the sequence (as Docker's escape
 * proxy does): they are released when the sequence breaks and dropped when it completes.
 */
export class DetachKeyFilter {
  private matched = 0;

  constructor(private readonly keys: Buffer) {}

  /** The bytes to forward, and whether the whole sequence has now been typed. */
  push(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      if (this.matched > 0) {
        out.push(...this.keys.subarray(0, this.matched));
        this.matched = 0;
        if (b === this.keys[0]) {
          this.matched = 1;
          continue;
        }
      }
      out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
