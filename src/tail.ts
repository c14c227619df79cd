/** A growing log file read in steps: the json-file logs berth writes and CRI's own log files. */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** Reads a growing file from where the last call stopped; complete lines only. */
export class Tail {
  private pos = 0;
  private rest = '';
  constructor(private readonly path: string) {}

  lines(): string[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    try {
      const size = statSync(this.path).size;
      // kubelet rotates by renaming and reopening (ReopenContainerLog): start the new file over.
      if (size < this.pos) this.pos = 0;
      const chunks: Buffer[] = [];
      while (this.pos < size) {
        const buf = Buffer.alloc(Math.min(1 << 20, size - this.pos));
        const n = readSync(fd, buf, 0, buf.length, this.pos);
        if (n <= 0) break;
        this.pos += n;
        chunks.push(buf.subarray(0, n));
      }
      const lines = (this.rest + Buffer.concat(chunks).toString('utf8')).split('\n');
      this.rest = lines.pop() ?? '';
      return lines.filter(Boolean);
    } finally {
      closeSync(fd);
    }
  }
}
