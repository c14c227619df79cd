/**
 * What `save` writes and `load` reads: one tar that is an OCI image layout (oci-layout,
 * index.json, blobs/<alg>/<hex>) and a Docker `docker save` archive (manifest.json) at once, so
 * both `docker load` and `ctr images import` accept berth's archives.
 *
 * Formats: https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md and moby's
 * image/spec/v1.2.md ("Combined Image JSON + Filesystem Changeset Format").
 */
import { posix } from 'node:path';
import { BerthError } from '../errors.js';

/** Annotation containerd's exporter/importer use for the full image name. */
export const CONTAINERD_IMAGE_NAME_ANNOTATION = 'io.containerd.image.name';
/** The OCI annotation; containerd writes just the tag into it, other tools a full reference. */
export const OCI_REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_INDEX_FILE = 'index.json';
export const DOCKER_MANIFEST_FILE = 'manifest.json';
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}';

/** Uncompressed layer of a Docker schema 2 image (what `docker save` before v25 wrote). */
export const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';

/** Manifests, indexes and configs are read into memory; beyond this an archive is refused. */
export const MAX_JSON_SIZE = 16 * 1024 * 1024;

/** One entry of Docker's manifest.json. */
export interface DockerArchiveManifest {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
  /** Foreign layers (Windows base layers); carried through but not used on Linux. */
  LayerSources?: Record<string, unknown>;
}

/** A hostile or broken archive; one line, exit 1. */
export class InvalidArchiveError extends BerthError {}

/** `blobs/sha256/<hex>` for a digest. */
export function blobPath(digest: string): string {
  const colon = digest.indexOf(':');
  return `blobs/${digest.slice(0, colon)}/${digest.slice(colon + 1)}`;
}

const BLOB_PATH_RE = /^blobs\/(sha256|sha384|sha512)\/([a-f0-9]+)$/;
const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** The digest a `blobs/<alg>/<hex>` path names, or undefined for any other path. */
export function digestFromBlobPath(path: string): string | undefined {
  const m = BLOB_PATH_RE.exec(path);
  if (!m) return undefined;
  const [, alg = '', hex = ''] = m;
  return hex.length === HEX_LENGTH[alg] ? `${alg}:${hex}` : undefined;
}

/**
 * Normalises a tar entry name (`./a//b/` -> `a/b`) and refuses names that could reach outside
 * the archive: absolute paths, `..` components, NUL bytes. Docker's loader resolves names inside
 * a chroot; berth never extracts to disk by name, but a name that tries to escape is a sign of a
 * hostile archive and is refused outright.
 */
export function safeEntryPath(name: string): string {
  if (name.includes('\0'))
    throw new InvalidArchiveError(`invalid archive: entry name contains a NUL byte`);
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) {
    throw new InvalidArchiveError(`invalid archive: entry "${name}" has an absolute path`);
  }
  if (name.split(/[\\/]/).includes('..')) {
    throw new InvalidArchiveError(`invalid archive: entry "${name}" points outside the archive`);
  }
  const norm = posix.normalize(name).replace(/\/+$/, '');
  return norm === '.' ? '' : norm.replace(/^\.\//, '');
}

/**
 * Where a link entry points, as an archive path. Symlink targets are relative to the link's
 * directory, hard-link targets to the archive root; either may not leave the archive (Docker's
 * older `docker save` links `<id>/layer.tar -> ../<other>/layer.tar`, which is fine).
 */
export function linkTarget(entryPath: string, target: string, kind: 'symlink' | 'link'): string {
  if (target.startsWith('/')) {
    throw new InvalidArchiveError(
      `invalid archive: link "${entryPath}" points to an absolute path`,
    );
  }
  const base = kind === 'symlink' ? posix.dirname(entryPath) : '.';
  const joined = posix.normalize(posix.join(base, target));
  if (joined === '..' || joined.startsWith('../') || joined.startsWith('/')) {
    throw new InvalidArchiveError(
      `invalid archive: link "${entryPath}" points outside the archive`,
    );
  }
  return joined.replace(/^\.\//, '');
}

/** The tag part of a full name, which containerd stores as the OCI ref.name. */
export function ociRefName(fullName: string): string {
  const at = fullName.indexOf('@');
  const named = at === -1 ? fullName : fullName.slice(0, at);
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  if (colon > slash) return named.slice(colon + 1);
  return at === -1 ? fullName : fullName.slice(at + 1);
}
