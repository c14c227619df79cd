/**
 * `berth build`: the build context and Dockerfile found as Docker's CLI finds them (a directory,
 * or `-` for a tar or a Dockerfile on stdin; `-f` relative to the current directory, `-f -`),
 * then the builder, with the classic builder's output (or only the ID with `-q`).
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Client } from '../../containerd/client.js';
import type { Settings } from '../../config/index.js';
import { BerthError } from '../../errors.js';
import {
  formatPlatform,
  hostPlatform,
  normalizePlatform,
  parsePlatform,
} from '../../image/platform.js';
import { familiarString, parseDockerRef } from '../../registry/reference.js';
import { build, RunStepError } from '../../build/builder.js';
import { directoryContext, tarContext, type BuildContext } from '../../build/context.js';
import {
  contextTarSize,
  TAR_TRAILER,
  tarFileBytes,
  tarHeaderBytes,
} from '../../build/context-size.js';
import { humanSize } from '../../formatter/units.js';
import { BuildLiveView } from '../../build/live-view.js';

export interface BuildCommandOptions {
  path: string;
  file?: string;
  tags: string[];
  buildArgs: string[];
  target?: string;
  noCache: boolean;
  pull: boolean;
  labels: string[];
  quiet: boolean;
  iidfile?: string;
  platform?: string;
  network?: string;
  addHost: string[];
  /** `--progress`: auto and tty draw a live view on a terminal; plain keeps the classic lines. */
  progress?: string;
  stdin: Readable & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
}

function prepareError(message: string): BerthError {
  return new BerthError(`unable to prepare context: ${message}`, { exitCode: 1 });
}

async function readAll(input: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of input) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

/** True if the bytes start like a tar (or gzip) archive. */
function looksLikeArchive(head: Buffer): boolean {
  if (head[0] === 0x1f && head[1] === 0x8b) return true;
  return head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar';
}

async function emptyContext(parent: string): Promise<BuildContext> {
  await mkdir(parent, { recursive: true });
  const root = await mkdtemp(join(parent, 'context-'));
  const ctx = await directoryContext(root);
  return { ...ctx, dispose: () => rm(root, { recursive: true, force: true }) };
}

async function dockerfileAt(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw prepareError(
      `unable to evaluate symlinks in Dockerfile path: lstat ${path}: ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
    );
  }
}

async function loadInputs(
  o: BuildCommandOptions,
  tempRoot: string,
): Promise<{
  context: BuildContext;
  dockerfile: { text: string; name: string };
  /** Bytes Docker's CLI would send as the context (its uncompressed tar, or stdin's bytes). */
  sent: () => Promise<number>;
}> {
  if (o.path === '-') {
    if (o.file === '-') {
      throw new BerthError(
        "invalid argument: can't use stdin for both build context and dockerfile",
        {
          exitCode: 125,
        },
      );
    }
    const data = await readAll(o.stdin);
    if (looksLikeArchive(data)) {
      const context = await tarContext(Readable.from([data]), tempRoot);
      const name = o.file ?? 'Dockerfile';
      try {
        return {
          context,
          dockerfile: { text: await dockerfileAt(join(context.root, name)), name },
          sent: () => Promise.resolve(data.length),
        };
      } catch (err) {
        await context.dispose();
        throw err;
      }
    }
    // Docker's CLI wraps a lone Dockerfile in a tar of its own.
    return {
      context: await emptyContext(tempRoot),
      dockerfile: { text: data.toString('utf8'), name: 'Dockerfile' },
      sent: () => Promise.resolve(tarFileBytes('Dockerfile', data.length) + TAR_TRAILER),
    };
  }
  const root = resolve(o.path);
  const st = await stat(root).catch(() => undefined);
  if (!st) throw prepareError(`path "${o.path}" not found`);
  if (!st.isDirectory()) throw prepareError(`context must be a directory: ${root}`);
  const context = await directoryContext(root);
  if (o.file === '-') {
    const text = (await readAll(o.stdin)).toString('utf8');
    return {
      context,
      dockerfile: { text, name: 'Dockerfile' },
      sent: () => directorySent(context, undefined, Buffer.byteLength(text)),
    };
  }
  const path = o.file !== undefined ? resolve(o.file) : join(root, 'Dockerfile');
  const text = await dockerfileAt(path);
  const rel = relative(root, path).split(sep).join('/');
  const inside = rel !== '' && !rel.startsWith('../') && rel !== '..';
  return {
    context,
    dockerfile: { text, name: o.file ?? 'Dockerfile' },
    sent: () => directorySent(context, inside ? rel : undefined, Buffer.byteLength(text)),
  };
}

/**
 * The context tar Docker's CLI sends for a directory. A Dockerfile from stdin or from outside
 * the context is added to it as `.dockerfile.<20 hex>`, and `.dockerignore` (made if missing)
 * gets that name appended; the CLI's rewriting of the tar closes its pipe before the tar writer,
 * so that stream ends with the added file's unpadded content, without the closing blocks.
 */
async function directorySent(
  context: BuildContext,
  dockerfileRel: string | undefined,
  dockerfileBytes: number,
): Promise<number> {
  const keep = ['.dockerignore', ...(dockerfileRel !== undefined ? [dockerfileRel] : [])];
  const size = await contextTarSize(context.root, { ...context, keep });
  if (dockerfileRel !== undefined) return size;
  const name = `.dockerfile.${'0'.repeat(20)}`;
  const added = `\n${name}\n`.length;
  const ignore = await stat(join(context.root, '.dockerignore')).catch(() => undefined);
  const grown = ignore?.isFile()
    ? tarFileBytes('.dockerignore', ignore.size + added) -
      tarFileBytes('.dockerignore', ignore.size)
    : tarFileBytes('.dockerignore', '.dockerignore'.length + added);
  return size - TAR_TRAILER + grown + tarHeaderBytes(name) + dockerfileBytes;
}

function parseKeyValues(list: readonly string[]): [string, string | undefined][] {
  return list.map((kv) => {
    const eq = kv.indexOf('=');
    return eq < 0 ? [kv, undefined] : [kv.slice(0, eq), kv.slice(eq + 1)];
  });
}

export async function runBuild(
  client: Client,
  settings: Settings,
  o: BuildCommandOptions,
): Promise<void> {
  if (o.platform !== undefined && o.platform !== '') {
    const host = formatPlatform(normalizePlatform(hostPlatform()));
    let want: string;
    try {
      want = formatPlatform(normalizePlatform(parsePlatform(o.platform)));
    } catch (err) {
      throw new BerthError(
        `invalid argument "${o.platform}" for "--platform" flag: ${(err as Error).message}`,
        { exitCode: 125 },
      );
    }
    if (want !== host) {
      throw new BerthError(
        `berth: --platform ${o.platform} is not supported: berth builds for the host platform (${host}) only`,
        { exitCode: 125 },
      );
    }
  }
  const tags = o.tags.map((t) => {
    try {
      return parseDockerRef(t);
    } catch {
      throw new BerthError(
        `invalid argument "${t}" for "-t, --tag" flag: invalid reference format`,
        {
          exitCode: 125,
        },
      );
    }
  });
  const network = o.network ?? 'default';
  if (!['default', 'bridge', 'host', 'none'].includes(network)) {
    throw new BerthError(
      `berth: --network ${network} is not supported by berth's builder (use default, bridge, host or none)`,
      { exitCode: 125 },
    );
  }
  const tempRoot = join(settings.dataRoot, 'build', 'tmp');
  const { context, dockerfile, sent } = await loadInputs(o, tempRoot);
  const buffered: string[] = [];
  const view =
    // (ora counts lines by the terminal's width: a terminal reporting none, such as a fresh
    // pty, gets the plain lines.)
    !o.quiet && o.progress !== 'plain' && o.stdout.isTTY === true && (o.stdout.columns ?? 0) > 0
      ? await BuildLiveView.start(o.stdout)
      : undefined;
  const out = o.quiet
    ? (): void => undefined
    : view
      ? (s: string): void => view.write(s)
      : (s: string): void => void o.stdout.write(s);
  let failed = true;
  try {
    if (!o.quiet) {
      const size = await sent();
      // Docker's progress line (`%8v` of the size), as its CLI leaves it when the upload is over.
      const line = `Sending build context to Docker daemon ${humanSize(size).padStart(8)}`;
      if (view) view.write(`${line}\n`);
      else o.stdout.write(`${line}\r\r\n`);
    }
    const result = await build(client, settings, {
      context,
      dockerfile,
      tags: tags.map((t) => t.full),
      buildArgs: new Map(parseKeyValues(o.buildArgs)),
      ...(o.target !== undefined ? { target: o.target } : {}),
      noCache: o.noCache,
      pull: o.pull,
      labels: parseKeyValues(o.labels).map(([k, v]) => [k, v ?? '']),
      network: network === 'bridge' ? 'default' : network,
      addHost: o.addHost,
      out,
      ...(o.quiet
        ? { processOut: (s: string) => void buffered.push(s) }
        : view
          ? { processOut: (s: string) => view.process(s) }
          : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (o.iidfile !== undefined) await writeFile(o.iidfile, result.id);
    if (o.quiet) {
      o.stdout.write(`${result.id}\n`);
      failed = false;
      return;
    }
    failed = false;
    view?.stop(false);
    out(`Successfully built ${result.id.slice(7, 19)}\n`);
    for (const t of tags) out(`Successfully tagged ${familiarString(t)}\n`);
  } catch (err) {
    // -q hides the steps unless the build fails, as Docker does.
    if (o.quiet && err instanceof RunStepError) o.stderr.write(buffered.join(''));
    throw err;
  } finally {
    if (failed) view?.stop(true);
    await context.dispose();
  }
}
