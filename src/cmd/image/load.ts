/** `berth load`: reads an archive from a file or stdin and prints Docker's `Loaded image` lines. */
import { publishEvent } from '../../events/index.js';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import type { Client } from '../../containerd/client.js';
import { BerthError } from '../../errors.js';
import { loadArchive } from '../../image/archive-load.js';

export interface LoadCommandOptions {
  /** `-i FILE`; stdin when absent. */
  input?: string;
  quiet: boolean;
  snapshotter: string;
  dataRoot: string;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  signal?: AbortSignal;
}

async function openInput(opts: LoadCommandOptions): Promise<Readable> {
  if (opts.input === undefined) {
    if (opts.stdin.isTTY)
      throw new BerthError('requested load from stdin, but stdin is empty', { exitCode: 1 });
    return opts.stdin;
  }
  // Opened up front so a missing file is reported as Docker does, before anything is started.
  try {
    // Checked first so a missing file is reported before anything starts; the stream reopens it
    // by path (a FileHandle-backed stream holds no event-loop handle while idle).
    const fh = await open(opts.input, 'r');
    await fh.close();
    return createReadStream(opts.input);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EISDIR'
          ? 'is a directory'
          : (err as Error).message;
    throw new BerthError(`open ${opts.input}: ${reason}`, { exitCode: 1, cause: err });
  }
}

export async function runLoad(client: Client, opts: LoadCommandOptions): Promise<void> {
  const input = await openInput(opts);
  try {
    const images = await loadArchive(client, input, {
      snapshotter: opts.snapshotter,
      tempRoot: opts.dataRoot,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    for (const img of images) {
      if (img.names.length === 0) {
        opts.stdout.write(`Loaded image ID: ${img.configDigest}\n`);
        continue;
      }
      for (const n of img.names) opts.stdout.write(`Loaded image: ${n.familiar}\n`);
      await publishEvent(client, 'image', 'load', img.configDigest, {
        name: img.names[0]?.familiar ?? img.configDigest,
      });
    }
  } finally {
    if (input !== opts.stdin) input.destroy();
  }
}
