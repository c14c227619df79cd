/**
 * Writes images from the content store as one tar that is both an OCI image layout and a Docker
 * `docker save` archive. Blobs are streamed from containerd into the tar one chunk at a time;
 * only manifests, indexes and configs are held in memory.
 */
import type { Writable } from 'node:stream';
import tar from 'tar-stream';
import type { Client } from '../containerd/client.js';
import { BerthError } from '../errors.js';
import {
  isIndexMediaType,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from '../registry/media-types.js';
import {
  blobPath,
  CONTAINERD_IMAGE_NAME_ANNOTATION,
  DOCKER_MANIFEST_FILE,
  OCI_INDEX_FILE,
  OCI_LAYOUT_CONTENT,
  OCI_LAYOUT_FILE,
  OCI_REF_NAME_ANNOTATION,
  ociRefName,
  type DockerArchiveManifest,
} from './archive.js';
import { hasBlob, openBlob, readJsonBlob } from './content.js';

/** One image to save, as resolved from what the user typed. */
export interface ImageToSave {
  /** Full name for the OCI index (`docker.io/library/busybox:latest`); absent when saved by ID. */
  fullName?: string;
  /** Docker's RepoTag form (`busybox:latest`); absent when saved by ID. */
  repoTag?: string;
  /** The record's target (manifest or index). */
  target: Descriptor;
  /** The platform manifest berth runs (goes into manifest.json). */
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  configDigest: string;
}

export interface SaveOptions {
  signal?: AbortSignal;
}

/** Fixed entry time: the archive's bytes depend only on the images, not on when it was made. */
const EPOCH = new Date(0);

/**
 * The descriptor to store for an image: its index when every (non-attestation) child and that
 * child's blobs are present, otherwise just the platform manifest. An index whose other
 * platforms were never pulled would give an archive that points at missing blobs, which both
 * `docker load` and `ctr import` reject.
 */
async function exportRoot(
  client: Client,
  img: ImageToSave,
  opts: SaveOptions,
): Promise<Descriptor> {
  if (!isIndexMediaType(img.target.mediaType)) return img.target;
  const call = opts.signal ? { signal: opts.signal } : {};
  const complete = async (desc: Descriptor, depth: number): Promise<boolean> => {
    if (depth > 4 || !(await hasBlob(client, desc.digest, call))) return false;
    if (isIndexMediaType(desc.mediaType)) {
      const idx = await readJsonBlob<ImageIndex>(client, desc.digest, call);
      for (const child of idx.manifests ?? []) {
        if (!(await complete(child, depth + 1))) return false;
      }
      return true;
    }
    const m = await readJsonBlob<ImageManifest>(client, desc.digest, call);
    for (const blob of [m.config, ...(m.layers ?? [])]) {
      if (!(await hasBlob(client, blob.digest, call))) return false;
    }
    return true;
  };
  return (await complete(img.target, 0)) ? img.target : img.manifestDescriptor;
}

/** Every blob under a root, children before parents, each once. */
async function collectBlobs(
  client: Client,
  root: Descriptor,
  seen: Map<string, Descriptor>,
  opts: SaveOptions,
  depth = 0,
): Promise<void> {
  if (seen.has(root.digest)) return;
  if (depth > 4) throw new BerthError(`image index nesting too deep at ${root.digest}`);
  const call = opts.signal ? { signal: opts.signal } : {};
  if (isIndexMediaType(root.mediaType)) {
    const idx = await readJsonBlob<ImageIndex>(client, root.digest, call);
    for (const child of idx.manifests ?? [])
      await collectBlobs(client, child, seen, opts, depth + 1);
  } else {
    const m = await readJsonBlob<ImageManifest>(client, root.digest, call);
    if (m.config) seen.set(m.config.digest, m.config);
    for (const l of m.layers ?? []) seen.set(l.digest, l);
  }
  seen.set(root.digest, root);
}

type Sink = ReturnType<tar.Pack['entry']>;

function waitDrain(stream: Sink): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      stream.off('drain', onDrain);
      reject(err);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/** Adds one file entry whose bytes come from `chunks`; `size` must be exact (tar needs it up front). */
async function addEntry(
  pack: tar.Pack,
  name: string,
  size: number,
  chunks: AsyncIterable<Uint8Array>,
): Promise<void> {
  let written = 0;
  let entryError: Error | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ name, size, mode: 0o444, mtime: EPOCH, type: 'file' }, (err) => {
      if (err) reject(err);
      else resolve();
    });
    // When the destination goes away (a closed pipe), the pack destroys the entry with that error.
    entry.on('error', reject);
    (async () => {
      for await (const chunk of chunks) {
        written += chunk.byteLength;
        if (written > size)
          throw new BerthError(
            `content ${name} is larger than its descriptor says (${size} bytes)`,
          );
        if (!entry.write(chunk)) await waitDrain(entry);
      }
      if (written !== size) {
        throw new BerthError(
          `content ${name} is shorter than its descriptor says (${written} of ${size} bytes)`,
        );
      }
      entry.end(undefined);
    })().catch((err: unknown) => {
      entryError = err instanceof Error ? err : new Error(String(err));
      entry.destroy(entryError);
      reject(entryError);
    });
  });
  await finished;
}

function bufferEntry(pack: tar.Pack, name: string, data: string): Promise<void> {
  const bytes = Buffer.from(data);
  return new Promise((resolve, reject) => {
    pack.entry(
      { name, size: bytes.length, mode: 0o444, mtime: EPOCH, type: 'file' },
      bytes,
      (err) => (err ? reject(err) : resolve()),
    );
  });
}

function dirEntry(pack: tar.Pack, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, mode: 0o755, mtime: EPOCH, type: 'directory' }, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

/**
 * Streams the archive for `images` into `out` and resolves once everything is flushed to it.
 * The tar holds: oci-layout, blobs/<alg>/<hex> for every blob, index.json (one entry per name,
 * annotated the way containerd's exporter does), and Docker's manifest.json last, as Docker
 * writes it.
 */
export async function writeArchive(
  client: Client,
  images: readonly ImageToSave[],
  out: Writable,
  opts: SaveOptions = {},
): Promise<void> {
  const roots = new Map<string, Descriptor>();
  const blobs = new Map<string, Descriptor>();
  const indexEntries: Descriptor[] = [];
  const dockerEntries = new Map<string, DockerArchiveManifest>();

  for (const img of images) {
    let root = roots.get(img.target.digest);
    if (!root) {
      root = await exportRoot(client, img, opts);
      roots.set(img.target.digest, root);
      await collectBlobs(client, root, blobs, opts);
    }
    // The platform manifest's blobs belong in the archive even when the index could not be kept.
    if (!blobs.has(img.manifestDescriptor.digest))
      await collectBlobs(client, img.manifestDescriptor, blobs, opts);

    const annotations: Record<string, string> = {};
    if (img.fullName !== undefined) {
      annotations[CONTAINERD_IMAGE_NAME_ANNOTATION] = img.fullName;
      annotations[OCI_REF_NAME_ANNOTATION] = ociRefName(img.fullName);
    }
    const entry: Descriptor = { mediaType: root.mediaType, digest: root.digest, size: root.size };
    if (Object.keys(annotations).length > 0) entry.annotations = annotations;
    const dupe = indexEntries.some(
      (e) =>
        e.digest === entry.digest &&
        e.annotations?.[CONTAINERD_IMAGE_NAME_ANNOTATION] ===
          entry.annotations?.[CONTAINERD_IMAGE_NAME_ANNOTATION],
    );
    if (!dupe) indexEntries.push(entry);

    let docker = dockerEntries.get(img.manifestDescriptor.digest);
    if (!docker) {
      docker = {
        Config: blobPath(img.configDigest),
        RepoTags: [],
        Layers: (img.manifest.layers ?? []).map((l) => blobPath(l.digest)),
      };
      dockerEntries.set(img.manifestDescriptor.digest, docker);
    }
    if (img.repoTag !== undefined && !docker.RepoTags?.includes(img.repoTag))
      docker.RepoTags?.push(img.repoTag);
  }

  const pack = tar.pack();
  const call = opts.signal ? { signal: opts.signal } : {};
  const piped = new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    pack.once('error', reject);
    // 'finish': everything is handed to the destination (stdout never emits 'close'; for a
    // file the caller waits for 'close' itself).
    const done = (): void => resolve();
    out.once('finish', done);
    pack.pipe(out);
  });
  piped.catch(() => undefined); // awaited at the end; an early failure must not go unhandled
  const abort = (err: unknown): void => {
    pack.destroy(err instanceof Error ? err : new Error(String(err)));
  };
  try {
    await bufferEntry(pack, OCI_LAYOUT_FILE, OCI_LAYOUT_CONTENT);
    await dirEntry(pack, 'blobs/');
    const algorithms = new Set([...blobs.keys()].map((d) => d.slice(0, d.indexOf(':'))));
    for (const alg of algorithms) await dirEntry(pack, `blobs/${alg}/`);
    for (const desc of blobs.values()) {
      await addEntry(pack, blobPath(desc.digest), desc.size, openBlob(client, desc.digest, call));
    }
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: indexEntries,
    };
    await bufferEntry(pack, OCI_INDEX_FILE, JSON.stringify(index));
    const manifestJson = [...dockerEntries.values()].map((e) => ({
      Config: e.Config,
      RepoTags: e.RepoTags && e.RepoTags.length > 0 ? e.RepoTags : null,
      Layers: e.Layers,
    }));
    await bufferEntry(pack, DOCKER_MANIFEST_FILE, JSON.stringify(manifestJson));
    pack.finalize();
  } catch (err) {
    abort(err);
    throw err;
  }
  await piped;
}
