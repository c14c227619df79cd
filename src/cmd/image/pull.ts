/** `berth pull`: Docker's pull output around image/pull.ts. */
import { sweepDeadLeases } from '../../containerd/leases.js';
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

/**
 * A port no socket can have (`127.0.0.1:99999/x`) is refused as dockerd's dialer refuses it,
 * rather than with the URL parser's bare "Invalid URL".
 */
function checkRegistryPort(domain: string): void {
  const port = /:(\d+)$/.exec(domain)?.[1];
  if (port === undefined || Number(port) <= 65535) return;
  const host = domain.slice(0, -port.length - 1);
  // dockerd tries plain HTTP first only for registries it treats as insecure (loopback among them).
  const scheme = /^(127\.|localhost$|\[::1\]$)/.test(host) ? 'http' : 'https';
  throw new DaemonError(`Get "${scheme}://${domain}/v2/": dial tcp: address ${port}: invalid port`);
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
  checkRegistryPort(ref.domain);
  const registry = newRegistryClient(settings);
  const signal = opts.signal;
  // What an earlier pull killed mid-way left (its lease, extract-* snapshots) goes now; the
  // registry round trips below take longer than this does.
  const swept = sweepDeadLeases(client).catch(() => 0);
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
    await swept;
    await registry.close().catch(() => undefined);
  }
}
