/** `berth save`: resolves the images, then streams one archive to a file or to stdout. */
import { publishEvent } from '../../events/index.js';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Client } from '../../containerd/client.js';
import { BerthError, DaemonError } from '../../errors.js';
import { writeArchive, type ImageToSave } from '../../image/archive-save.js';
import { NoSuchImageError, resolveLocalImage } from '../../image/local.js';
import { parsePlatform } from '../../image/platform.js';
import { InvalidReferenceError, parseDockerRef } from '../../registry/reference.js';

export interface SaveCommandOptions {
  /** `-o FILE`; stdout when absent. */
  output?: string;
  platform?: string;
  stdout: Writable & { isTTY?: boolean };
  signal?: AbortSignal;
}

/** What the user typed, as the archive should name it: a tag, or nothing when saved by ID/digest. */
function nameFor(arg: string, recordName: string): { fullName?: string; repoTag?: string } {
  try {
    const ref = parseDockerRef(arg);
    if (ref.tag !== undefined && ref.digest === undefined && ref.full === recordName) {
      return { fullName: ref.full, repoTag: ref.familiar };
    }
  } catch {
    // An image ID is not a reference; it gets no name in the archive, as with Docker.
  }
  return {};
}

async function resolveAll(
  client: Client,
  names: readonly string[],
  opts: SaveCommandOptions,
): Promise<ImageToSave[]> {
  const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
  const out: ImageToSave[] = [];
  for (const arg of names) {
    try {
      const img = await resolveLocalImage(client, arg, {
        ...(platform ? { platform } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      out.push({
        ...nameFor(arg, img.name),
        target: img.target,
        manifestDescriptor: img.manifestDescriptor,
        manifest: img.manifest,
        configDigest: img.configDigest,
      });
    } catch (err) {
      if (err instanceof NoSuchImageError) {
        throw new DaemonError(`${err.message}`, {
          exitCode: 1,
          cause: err,
        });
      }
      if (err instanceof InvalidReferenceError) throw err;
      throw err;
    }
  }
  return out;
}

/**
 * Writes the archive. With `-o`, the file appears only once complete (written beside it, then
 * renamed), so a failed save never leaves a truncated archive under the requested name.
 */
export async function runSave(
  client: Client,
  names: readonly string[],
  opts: SaveCommandOptions,
): Promise<void> {
  if (opts.output === undefined && opts.stdout.isTTY) {
    throw new BerthError('cowardly refusing to save to a terminal. Use the -o flag or redirect', {
      exitCode: 1,
    });
  }
  let targetDir: string | undefined;
  if (opts.output !== undefined) {
    targetDir = dirname(resolve(opts.output));
    const st = await stat(targetDir).catch(() => undefined);
    if (!st?.isDirectory()) {
      throw new BerthError(
        `failed to save image: invalid output path: directory "${targetDir}" does not exist`,
        {
          exitCode: 1,
        },
      );
    }
  }
  const images = await resolveAll(client, names, opts);
  const announce = async (): Promise<void> => {
    for (const img of images) {
      await publishEvent(client, 'image', 'save', img.configDigest, {
        name: img.repoTag ?? img.configDigest,
      });
    }
  };
  if (opts.output === undefined || targetDir === undefined) {
    await writeArchive(client, images, opts.stdout, opts.signal ? { signal: opts.signal } : {});
    await announce();
    return;
  }
  const final = resolve(opts.output);
  const tmp = join(targetDir, `.${basename(final)}.${randomBytes(4).toString('hex')}.tmp`);
  const file = createWriteStream(tmp, { mode: 0o644 });
  const closed = new Promise<void>((res, rej) => {
    file.once('close', res);
    file.once('error', rej);
  });
  closed.catch(() => undefined); // awaited below; a failure before that must not go unhandled
  try {
    await writeArchive(client, images, file, opts.signal ? { signal: opts.signal } : {});
    await closed;
    await rename(tmp, final);
    await announce();
  } catch (err) {
    file.destroy();
    await rm(tmp, { force: true });
    if (err instanceof BerthError) throw err;
    throw new BerthError(`failed to save image: ${(err as Error).message}`, {
      exitCode: 1,
      cause: err,
    });
  }
}
