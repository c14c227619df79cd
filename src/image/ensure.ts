/**
 * `run`/`create`'s image step: use the local image, pull it if missing (or always), or refuse
 * (`--pull never`), printing what Docker prints on the way.
 */
import type { Client } from '../containerd/client.js';
import { parseDockerRef } from '../registry/reference.js';
import {
  NoSuchImageError,
  PlatformNotAvailableError,
  resolveLocalImage,
  type LocalImage,
} from './local.js';
import type { Platform } from './platform.js';
import { reporterFor } from './progress.js';
import type { PullSettings } from './pull.js';

export type PullPolicy = 'always' | 'missing' | 'never';

export interface EnsureImageOptions {
  pull: PullPolicy;
  platform?: Platform;
  /** `-q`: no "Unable to find image" line and no progress. */
  quiet?: boolean;
  /** Where progress goes; `run` uses stderr so stdout stays the container's. Default stderr. */
  output?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where "Unable to find image" goes. Default stderr. */
  errorOutput?: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/**
 * The image `ref` names, pulled first if the policy says so. Errors: NoSuchImageError
 * (`No such image: x:latest`) for `never`; registry errors in Docker's words for a failed pull
 * (errorText adds the daemon's prefix); InvalidReferenceError for a bad name.
 */
export async function ensureImage(
  client: Client,
  settings: PullSettings,
  ref: string,
  opts: EnsureImageOptions,
): Promise<LocalImage> {
  const resolveOpts = {
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  if (opts.pull !== 'always') {
    try {
      return await resolveLocalImage(client, ref, resolveOpts);
    } catch (err) {
      const missing = err instanceof NoSuchImageError || err instanceof PlatformNotAvailableError;
      if (!missing || opts.pull === 'never') throw err;
    }
  }
  // An image ID cannot be pulled; it is either here or not.
  const named = parseDockerRef(ref);
  const out = opts.output ?? process.stderr;
  if (opts.pull === 'missing' && !opts.quiet) {
    (opts.errorOutput ?? process.stderr).write(
      `Unable to find image '${named.familiar}' locally\n`,
    );
  }
  const reporter = reporterFor(out, opts.quiet ?? false);
  // Loaded only when pulling: the registry client is the heaviest part of the image code.
  const { pullImage } = await import('./pull.js');
  try {
    const result = await pullImage(client, settings, named, {
      ...(opts.platform ? { platform: opts.platform } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      reporter,
    });
    reporter.line(`Digest: ${result.target.digest}`);
    reporter.line(
      result.changed
        ? `Status: Downloaded newer image for ${named.familiar}`
        : `Status: Image is up to date for ${named.familiar}`,
    );
  } finally {
    reporter.end();
  }
  return resolveLocalImage(client, named.full, resolveOpts);
}
