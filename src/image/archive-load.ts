/**
 * Reads an image archive (Docker's `docker save` format, an OCI image layout, or both at once)
 * into containerd: blobs into the content store under a lease, layers unpacked, then image
 * records. Everything is checked before the first record is written; on any failure the lease
 * and the ingests go, so nothing of a bad archive stays behind.
 *
 * Tar entries may come in any order (Docker writes manifest.json last), so nothing can be
 * decided while reading: `blobs/<alg>/<hex>` entries stream straight into the content store
 * (their name is their digest; containerd verifies it on commit), every other file is spooled to
 * a private temp directory with its sha256 computed on the way, and the manifests are resolved
 * once the tar has ended.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { Client } from '../containerd/client.js';
import type { CallOptions } from '../containerd/connection.js';
import { DigestMismatchError } from '../registry/errors.js';
import { sweepDeadLeases, withLease } from '../containerd/leases.js';
import { BerthError } from '../errors.js';
import { processAlive } from '../process.js';
import { computeDigest } from '../registry/digest.js';
import {
  isIndexMediaType,
  isManifestMediaType,
  MediaType,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
} from '../registry/media-types.js';
import { parseDockerRef, type ImageReference } from '../registry/reference.js';
import {
  CONTAINERD_IMAGE_NAME_ANNOTATION,
  DOCKER_LAYER_TAR,
  DOCKER_MANIFEST_FILE,
  digestFromBlobPath,
  InvalidArchiveError,
  linkTarget,
  MAX_JSON_SIZE,
  OCI_INDEX_FILE,
  OCI_REF_NAME_ANNOTATION,
  safeEntryPath,
  type DockerArchiveManifest,
} from './archive.js';
import {
  abortIngest,
  hasBlob,
  ingestRef,
  readJsonBlob,
  writeBlob,
  writeBlobBytes,
} from './content.js';
import { getImageRecord, resolveTarget } from './local.js';
import { putImageRecord } from './record.js';
import { snapshotGcLabels, unpackImage, UNCOMPRESSED_LABEL } from './unpack.js';

export interface LoadOptions {
  snapshotter: string;
  /** Parent of the spool directory (berth's data root); the OS temp dir if it cannot be used. */
  tempRoot: string;
  signal?: AbortSignal;
  /** Told about each blob as it lands in the store (progress display). */
  onBlob?: (digest: string, size: number) => void;
}

export interface LoadedImage {
  /** Names the image was stored under (full references). Empty for an untagged image. */
  names: ImageReference[];
  target: Descriptor;
  /** Docker's image ID: the config digest of the platform manifest. */
  configDigest: string;
}

/** A file of the archive after reading: either already in the store or spooled to disk. */
type Source =
  | { kind: 'blob'; digest: string; size: number }
  | { kind: 'file'; file: string; digest: string; size: number };

interface ReadArchive {
  files: Map<string, Source>;
  links: Map<string, string>;
  /** Digests whose ingest this load may have started (aborted on failure). */
  touched: Set<string>;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function call(opts: LoadOptions, lease?: string): CallOptions {
  const c: CallOptions = {};
  if (opts.signal) c.signal = opts.signal;
  if (lease) c.lease = lease;
  return c;
}

/** A tar entry's chunks, typed: tar-stream's streams yield Buffers. */
async function* bytesOf(entry: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of entry) yield chunk as Uint8Array;
}

/** Drains an entry we do not keep (directories, a blob the store already had). */
async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  const it = entry[Symbol.asyncIterator]();
  while (!(await it.next()).done) {
    // discard
  }
}

/** Spools one entry to `file`, hashing it; returns digest and size actually read. */
async function spool(
  entry: AsyncIterable<Uint8Array>,
  file: string,
): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  const out = createWriteStream(file, { mode: 0o600 });
  let size = 0;
  try {
    for await (const chunk of entry) {
      hash.update(chunk);
      size += chunk.byteLength;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/**
 * Counts what flows through so a short tar entry is caught before containerd sees a commit, and
 * tells whether the consumer ever started reading (an entry nobody read must still be drained).
 */
function counted(
  entry: AsyncIterable<Uint8Array>,
  expected: number,
  name: string,
): { chunks: AsyncGenerator<Uint8Array>; started: () => boolean } {
  let began = false;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    began = true;
    let n = 0;
    for await (const chunk of entry) {
      n += chunk.byteLength;
      yield chunk;
    }
    if (n !== expected)
      throw new InvalidArchiveError(
        `invalid archive: ${name} is truncated (${n} of ${expected} bytes)`,
      );
  }
  return { chunks: chunks(), started: () => began };
}

/** Reads the whole tar: blobs into the store, other files into `dir`, links remembered. */
async function readTar(
  client: Client,
  input: Readable,
  dir: string,
  lease: string,
  opts: LoadOptions,
  state: ReadArchive,
): Promise<void> {
  const extract = tar.extract();
  // tar-stream does not see errors of the stream piped into it; forward them.
  input.once('error', (err) => extract.destroy(err));
  // Nor a source closed before its end (stdin destroyed on Ctrl-C): the extract would wait for
  // more forever, the event loop would run dry and the process would exit 0 mid-load.
  input.once('close', () => {
    if (!input.readableEnded) extract.destroy(new Error('unexpected end of data'));
  });
  input.pipe(extract);
  let n = 0;
  let sawEntry = false;
  try {
    for await (const entry of extract) {
      sawEntry = true;
      const h = entry.header;
      const path = safeEntryPath(h.name);
      switch (h.type) {
        case 'directory':
          await drain(entry);
          continue;
        case 'symlink':
        case 'link': {
          state.links.set(path, linkTarget(path, h.linkname ?? '', h.type));
          state.files.delete(path);
          await drain(entry);
          continue;
        }
        case 'file':
        case 'contiguous-file':
          break;
        default:
          throw new InvalidArchiveError(
            `invalid archive: entry "${path}" is a ${h.type}, not a regular file`,
          );
      }
      const size = h.size ?? 0;
      state.links.delete(path);
      const digest = digestFromBlobPath(path);
      if (digest !== undefined) {
        state.touched.add(digest);
        const body = counted(bytesOf(entry), size, path);
        try {
          await writeBlob(client, { digest, size }, body.chunks, {
            lease,
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
        } catch (err) {
          if (err instanceof DigestMismatchError) {
            throw new InvalidArchiveError(`invalid archive: ${path} does not match its digest`, {
              cause: err,
            });
          }
          throw err;
        }
        // writeBlob reads nothing when the blob exists or a previous attempt's ingest already
        // holds all of it; the tar still has to move past the entry.
        if (!body.started()) await drain(entry);
        state.files.set(path, { kind: 'blob', digest, size });
        opts.onBlob?.(digest, size);
        continue;
      }
      const file = join(dir, `f${n++}`);
      const got = await spool(bytesOf(entry), file);
      if (got.size !== size) {
        throw new InvalidArchiveError(
          `invalid archive: ${path} is truncated (${got.size} of ${size} bytes)`,
        );
      }
      state.files.set(path, { kind: 'file', file, ...got });
    }
  } catch (err) {
    input.unpipe(extract);
    input.destroy();
    if (err instanceof BerthError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    // tar-stream's words for a cut-off archive.
    if (/unexpected end of data/i.test(msg))
      throw new InvalidArchiveError('invalid archive: unexpected EOF (truncated tar)', {
        cause: err,
      });
    throw new InvalidArchiveError(`invalid archive: ${msg}`, { cause: err });
  }
  if (!sawEntry) throw new InvalidArchiveError('invalid archive: no entries (empty input)');
}

/** Looks a path up, following links (a chain of at most 16). */
function lookup(state: ReadArchive, path: string): Source | undefined {
  let p = path;
  for (let i = 0; i < 16; i++) {
    const f = state.files.get(p);
    if (f) return f;
    const next = state.links.get(p);
    if (next === undefined) return undefined;
    p = next;
  }
  throw new InvalidArchiveError(`invalid archive: too many levels of links at "${path}"`);
}

async function readSource(
  source: Source,
  opts: LoadOptions,
  client: Client,
  what: string,
): Promise<Buffer> {
  if (source.size > MAX_JSON_SIZE)
    throw new InvalidArchiveError(`invalid archive: ${what} is too large (${source.size} bytes)`);
  return source.kind === 'file'
    ? readFile(source.file)
    : client.content.readBlob({ digest: source.digest }, call(opts));
}

function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (err) {
    throw new InvalidArchiveError(`invalid archive: ${what} is not valid JSON`, { cause: err });
  }
}

/** The first bytes of a source, to tell compressed layers from plain tars. */
async function head(source: Source, client: Client, opts: LoadOptions): Promise<Buffer> {
  if (source.kind === 'file') {
    const fh = await open(source.file, 'r');
    try {
      const buf = Buffer.alloc(4);
      const { bytesRead } = await fh.read(buf, 0, 4, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }
  return client.content.readBlob(
    { digest: source.digest, offset: 0, size: Math.min(4, source.size) },
    call(opts),
  );
}

function startsWith(buf: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => buf[i] === b);
}

/** Makes sure a source is in the content store (spooled files are written now) and returns its digest. */
async function ensureStored(
  client: Client,
  source: Source,
  lease: string,
  opts: LoadOptions,
  state: ReadArchive,
): Promise<string> {
  if (source.kind === 'file') {
    state.touched.add(source.digest);
    const file = source.file;
    await writeBlob(
      client,
      { digest: source.digest, size: source.size },
      (offset) => Promise.resolve(createReadStream(file, { start: offset })),
      {
        lease,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
    );
    opts.onBlob?.(source.digest, source.size);
  }
  return source.digest;
}

/** Adds labels to a blob already in the store (GC references found only after it was written). */
async function addLabels(
  client: Client,
  digest: string,
  labels: Record<string, string>,
  opts: LoadOptions,
): Promise<void> {
  const keys = Object.keys(labels);
  if (keys.length === 0) return;
  const { info } = await client.content.info({ digest }, call(opts));
  const have = info?.labels ?? {};
  const missing = keys.filter((k) => have[k] !== labels[k]);
  if (missing.length === 0) return;
  await client.content.update(
    {
      info: { digest, labels: { ...have, ...labels } },
      update_mask: { paths: missing.map((k) => `labels.${k}`) },
    },
    call(opts),
  );
}

/** A name from an archive, or undefined when it is not a usable reference (containerd's bare tag). */
function tryRef(name: string | undefined): ImageReference | undefined {
  if (name === undefined || name === '') return undefined;
  try {
    const ref = parseDockerRef(name);
    return ref.tag !== undefined || ref.digest !== undefined ? ref : undefined;
  } catch {
    return undefined;
  }
}

/** Image candidates from Docker's manifest.json: a schema 2 manifest is built for each entry. */
async function imagesFromDockerManifest(
  client: Client,
  entries: DockerArchiveManifest[],
  lease: string,
  opts: LoadOptions,
  state: ReadArchive,
): Promise<LoadedImage[]> {
  const out: LoadedImage[] = [];
  for (const [i, e] of entries.entries()) {
    if (typeof e.Config !== 'string' || !Array.isArray(e.Layers)) {
      throw new InvalidArchiveError(
        `invalid archive: manifest.json entry ${i} has no Config or Layers`,
      );
    }
    const configSource = lookup(state, safeEntryPath(e.Config));
    if (!configSource) throw new InvalidArchiveError(`invalid archive: ${e.Config} is missing`);
    const configBytes = await readSource(configSource, opts, client, e.Config);
    const config = parseJson<ImageConfig>(configBytes, e.Config);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== e.Layers.length) {
      throw new InvalidArchiveError(
        `invalid archive: ${e.Config} lists ${diffIds.length} diff IDs for ${e.Layers.length} layers`,
      );
    }
    const configDesc: Descriptor = {
      mediaType: MediaType.DockerConfig,
      digest: configSource.digest,
      size: configSource.size,
    };
    await ensureStored(client, configSource, lease, opts, state);

    const layers: Descriptor[] = [];
    for (const [j, layerPath] of e.Layers.entries()) {
      const src = lookup(state, safeEntryPath(layerPath));
      if (!src) throw new InvalidArchiveError(`invalid archive: layer ${layerPath} is missing`);
      const magic = await head(src, client, opts);
      const mediaType = startsWith(magic, GZIP_MAGIC)
        ? MediaType.DockerLayerGzip
        : startsWith(magic, ZSTD_MAGIC)
          ? MediaType.OciLayerZstd
          : DOCKER_LAYER_TAR;
      if (mediaType === DOCKER_LAYER_TAR && src.digest !== diffIds[j]) {
        throw new InvalidArchiveError(
          `invalid archive: layer ${layerPath} has digest ${src.digest}, but the config expects ${diffIds[j] ?? ''}`,
        );
      }
      await ensureStored(client, src, lease, opts, state);
      layers.push({ mediaType, digest: src.digest, size: src.size });
    }

    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.DockerManifest,
      config: configDesc,
      layers,
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const target: Descriptor = {
      mediaType: MediaType.DockerManifest,
      digest: computeDigest(bytes),
      size: bytes.length,
    };
    state.touched.add(target.digest);
    await writeBlobBytes(client, target, bytes, {
      lease,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });

    const names: ImageReference[] = [];
    for (const tag of e.RepoTags ?? []) {
      const ref = tryRef(tag);
      if (!ref)
        throw new InvalidArchiveError(`invalid archive: invalid tag "${tag}" in manifest.json`);
      names.push(ref);
    }
    out.push({ names, target, configDigest: configDesc.digest });
  }
  return out;
}

/** Image candidates from an OCI index.json; names from containerd's and the OCI annotation. */
function imagesFromOciIndex(index: ImageIndex): LoadedImage[] {
  if (!Array.isArray(index.manifests))
    throw new InvalidArchiveError('invalid archive: index.json has no manifests');
  const byDigest = new Map<string, LoadedImage>();
  for (const desc of index.manifests) {
    if (!isIndexMediaType(desc.mediaType) && !isManifestMediaType(desc.mediaType)) continue;
    if (typeof desc.digest !== 'string' || typeof desc.size !== 'number') {
      throw new InvalidArchiveError('invalid archive: index.json has an invalid descriptor');
    }
    let img = byDigest.get(desc.digest);
    if (!img) {
      img = {
        names: [],
        target: { mediaType: desc.mediaType, digest: desc.digest, size: desc.size },
        configDigest: '',
      };
      byDigest.set(desc.digest, img);
    }
    const ref =
      tryRef(desc.annotations?.[CONTAINERD_IMAGE_NAME_ANNOTATION]) ??
      tryRef(desc.annotations?.[OCI_REF_NAME_ANNOTATION]);
    if (ref && !img.names.some((n) => n.full === ref.full)) img.names.push(ref);
  }
  return [...byDigest.values()];
}

/**
 * GC labels for everything under `root` that is present, so the image record alone keeps it
 * alive once the lease is gone (containerd's gc.ref.content.* scheme).
 */
async function labelTree(
  client: Client,
  root: Descriptor,
  opts: LoadOptions,
  depth = 0,
): Promise<void> {
  if (depth > 4)
    throw new InvalidArchiveError(`invalid archive: index nesting too deep at ${root.digest}`);
  if (!(await hasBlob(client, root.digest, call(opts)))) return;
  if (isIndexMediaType(root.mediaType)) {
    const idx = await readJsonBlob<ImageIndex>(client, root.digest, call(opts));
    const labels: Record<string, string> = {};
    for (const [i, child] of (idx.manifests ?? []).entries()) {
      labels[`containerd.io/gc.ref.content.m.${i}`] = child.digest;
      await labelTree(client, child, opts, depth + 1);
    }
    await addLabels(client, root.digest, labels, opts);
    return;
  }
  const m = await readJsonBlob<ImageManifest>(client, root.digest, call(opts));
  if (!m.config) return;
  const labels: Record<string, string> = { 'containerd.io/gc.ref.content.config': m.config.digest };
  for (const [i, l] of (m.layers ?? []).entries())
    labels[`containerd.io/gc.ref.content.l.${i}`] = l.digest;
  await addLabels(client, root.digest, labels, opts);
}

/** The record via putImageRecord (CRI label in k8s.io included); 'created' if it is new. */
async function putRecord(
  client: Client,
  name: string,
  target: Descriptor,
  opts: LoadOptions,
): Promise<'created' | 'updated'> {
  const existed = (await getImageRecord(client, name, call(opts))) !== undefined;
  await putImageRecord(client, { namespace: client.namespace }, name, target, {}, call(opts));
  return existed ? 'updated' : 'created';
}

/**
 * A private spool directory under the data root (the OS temp dir if the data root is unusable),
 * named after this process, so that the next load removes what a killed one left.
 */
async function makeSpoolDir(root: string): Promise<string> {
  const prefix = `load-${process.pid}-`;
  try {
    const base = join(root, 'tmp');
    await mkdir(base, { recursive: true, mode: 0o700 });
    await sweepStaleSpools(base, 'load-');
    return await mkdtemp(join(base, prefix));
  } catch {
    await sweepStaleSpools(tmpdir(), 'berth-load-').catch(() => undefined);
    return mkdtemp(join(tmpdir(), `berth-${prefix}`));
  }
}

/** Spools of loads whose process is gone (SIGKILL, power loss); older unnamed ones after an hour. */
export async function sweepStaleSpools(base: string, prefix: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = /^(\d+)-/.exec(name.slice(prefix.length))?.[1];
    const dir = join(base, name);
    if (pid !== undefined) {
      if (processAlive(Number(pid))) continue;
    } else {
      const st = await stat(dir).catch(() => undefined);
      if (!st || Date.now() - st.mtimeMs < 3600_000) continue;
    }
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Loads every image of the archive read from `input`. Resolves with what was stored, in archive
 * order. Throws InvalidArchiveError (or a containerd error) having left nothing behind.
 */
export async function loadArchive(
  client: Client,
  input: Readable,
  opts: LoadOptions,
): Promise<LoadedImage[]> {
  // A load or pull killed earlier left its lease (and a load its spool): both go now.
  const [dir] = await Promise.all([
    makeSpoolDir(opts.tempRoot),
    sweepDeadLeases(client).catch(() => 0),
  ]);
  const state: ReadArchive = { files: new Map(), links: new Map(), touched: new Set() };
  try {
    return await withLease(
      client,
      async (lease) => {
        try {
          return await loadUnderLease(client, input, dir, lease, opts, state);
        } catch (err) {
          // Unleased partial ingests survive the lease; a failed load must not leave them.
          for (const digest of state.touched)
            await abortIngest(client, ingestRef(digest)).catch(() => undefined);
          throw err;
        }
      },
      opts.signal ? { signal: opts.signal } : {},
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function loadUnderLease(
  client: Client,
  input: Readable,
  dir: string,
  lease: string,
  opts: LoadOptions,
  state: ReadArchive,
): Promise<LoadedImage[]> {
  await readTar(client, input, dir, lease, opts, state);

  const indexSource = lookup(state, OCI_INDEX_FILE);
  const dockerSource = lookup(state, DOCKER_MANIFEST_FILE);
  let dockerEntries: DockerArchiveManifest[] | undefined;
  if (dockerSource) {
    const parsed = parseJson<unknown>(
      await readSource(dockerSource, opts, client, DOCKER_MANIFEST_FILE),
      DOCKER_MANIFEST_FILE,
    );
    if (!Array.isArray(parsed))
      throw new InvalidArchiveError('invalid archive: manifest.json is not a list');
    dockerEntries = parsed as DockerArchiveManifest[];
  }

  let images: LoadedImage[];
  if (indexSource) {
    const index = parseJson<ImageIndex>(
      await readSource(indexSource, opts, client, OCI_INDEX_FILE),
      OCI_INDEX_FILE,
    );
    images = imagesFromOciIndex(index);
  } else if (dockerEntries) {
    images = await imagesFromDockerManifest(client, dockerEntries, lease, opts, state);
    dockerEntries = undefined;
  } else {
    throw new InvalidArchiveError(
      'invalid archive: no manifest.json or index.json found (is this an image archive?)',
    );
  }
  if (images.length === 0) throw new InvalidArchiveError('invalid archive: it holds no images');

  // Resolve, label and unpack every image before any record exists: a failure here leaves none.
  for (const img of images) {
    if (!(await hasBlob(client, img.target.digest, call(opts)))) {
      throw new InvalidArchiveError(`invalid archive: blob ${img.target.digest} is missing`);
    }
    const resolved = await resolveTarget(
      client,
      img.target,
      opts.signal ? { signal: opts.signal } : {},
    );
    if (!resolved)
      throw new InvalidArchiveError(
        `invalid archive: no complete image manifest under ${img.target.digest}`,
      );
    for (const l of resolved.manifest.layers ?? []) {
      if (!(await hasBlob(client, l.digest, call(opts)))) {
        throw new InvalidArchiveError(`invalid archive: layer ${l.digest} is missing`);
      }
    }
    img.configDigest = resolved.configDigest;
    await labelTree(client, img.target, opts);
    const layers = resolved.manifest.layers ?? [];
    for (const [i, l] of layers.entries()) {
      const diffId = resolved.diffIds[i];
      if (diffId !== undefined)
        await addLabels(client, l.digest, { [UNCOMPRESSED_LABEL]: diffId }, opts);
    }
    const top = await unpackImage(client, layers, resolved.diffIds, {
      snapshotter: opts.snapshotter,
      lease,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    await addLabels(client, resolved.configDigest, snapshotGcLabels(opts.snapshotter, top), opts);

    // Docker's manifest.json names images by config; an OCI index may carry no names at all.
    for (const e of dockerEntries ?? []) {
      if (typeof e.Config !== 'string') continue;
      const src = lookup(state, safeEntryPath(e.Config));
      if (src?.digest !== resolved.configDigest) continue;
      for (const tag of e.RepoTags ?? []) {
        const ref = tryRef(tag);
        if (ref && !img.names.some((n) => n.full === ref.full)) img.names.push(ref);
      }
    }
  }

  const created: string[] = [];
  try {
    for (const img of images) {
      const names =
        img.names.length > 0 ? img.names.map((n) => n.full) : [untaggedName(img.configDigest)];
      for (const name of names) {
        if ((await putRecord(client, name, img.target, opts)) === 'created') created.push(name);
      }
    }
  } catch (err) {
    for (const name of created)
      await client.images.delete({ name, sync: false }).catch(() => undefined);
    throw err;
  }
  return images;
}

/**
 * Record name for an image the archive gives no name: its ID, the only handle Docker shows for
 * it (`Loaded image ID: sha256:…`), which is also what `rmi`/`run` accept for it.
 */
export function untaggedName(configDigest: string): string {
  return configDigest;
}
