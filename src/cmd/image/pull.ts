/** `berth pull`: Docker's pull output around image/pull.ts. */
import { publishEvent } from '../../events/index.js';
import type { Client } from '../../containerd/client.js';
import { BerthError, DaemonError, isDaemonKind } from '../../errors.js';
import { parsePlatform } from '../../image/platform.js';
import { reporterFor } from '../../image/progress.js';
import { newRegistryClient, pullImage, type PullSettings } from '../../image/pull.js';
import {
  InvalidReferenceError,
  parseReference,
  trimTagAndDigest,
  withTag,
} from '../../registry/reference.js';

export interface PullCommandOptions {
  allTags: boolean;
  platform?: string;
  quiet: boolean;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal;
}

/** Errors the daemon would have reported get Docker's prefix; client-side ones do not. */
export function daemonError(err: unknown): unknown {
  if (err instanceof InvalidReferenceError) return err;
  if (err instanceof BerthError && !isDaemonKind(err.kind)) {
    return new DaemonError(err.message, {
      exitCode: 1,
      cause: err,
    });
  }
  return err;
}

export async function runPull(
  client: Client,
  settings: PullSettings,
  name: string,
  opts: PullCommandOptions,
): Promise<void> {
  const ref = parseReference(name);
  if (opts.allTags && (ref.tag !== undefined || ref.digest !== undefined)) {
    throw new BerthError("tag can't be used with --all-tags/-a");
  }
  const out = opts.out;
  if (!opts.allTags && ref.tag === undefined && ref.digest === undefined && !opts.quiet) {
    out.write('Using default tag: latest\n');
  }
  const registry = newRegistryClient(settings);
  const signal = opts.signal;
  try {
    const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
    const common = { registry, ...(platform ? { platform } : {}), ...(signal ? { signal } : {}) };
    if (!opts.allTags) {
      const reporter = reporterFor(out, opts.quiet);
      try {
        const result = await pullImage(client, settings, ref, { ...common, reporter });
        await publishEvent(client, 'image', 'pull', result.ref.familiar, {
          name: result.ref.familiarName,
        });
        reporter.line(`Digest: ${result.target.digest}`);
        reporter.line(
          result.changed
            ? `Status: Downloaded newer image for ${result.ref.familiar}`
            : `Status: Image is up to date for ${result.ref.familiar}`,
        );
        out.write(`${result.ref.full}\n`);
      } finally {
        reporter.end();
      }
      return;
    }
    const repo = trimTagAndDigest(ref);
    const tags = await registry.listTags(repo, signal ? { signal } : {});
    let changed = false;
    for (const tag of tags) {
      const reporter = reporterFor(out, opts.quiet);
      try {
        const result = await pullImage(client, settings, withTag(repo, tag), {
          ...common,
          reporter,
        });
        changed ||= result.changed;
        reporter.line(`Digest: ${result.target.digest}`);
      } finally {
        reporter.end();
      }
    }
    if (!opts.quiet) {
      out.write(
        changed
          ? `Status: Downloaded newer image for ${repo.familiarName}\n`
          : `Status: Image is up to date for ${repo.familiarName}\n`,
      );
    }
    out.write(`${repo.full}\n`);
  } catch (err) {
    throw daemonError(err);
  } finally {
    await registry.close().catch(() => undefined);
  }
}
