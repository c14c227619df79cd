/** `berth image inspect`: Docker's image inspect JSON, built from the record, manifest and config. */
import type { Client } from '../../containerd/client.js';
import { BerthError, errorText } from '../../errors.js';
import { withZeroFields } from '../../formatter/inspect.js';
import { asGoMap } from '../../formatter/template.js';
import {
  listLocalImages,
  NoSuchImageError,
  recordReference,
  resolveLocalImage,
  type LocalImage,
} from '../../image/local.js';
import type { Platform } from '../../image/platform.js';
import { imageSizes } from '../../image/size.js';
import type { ImageRuntimeConfig } from '../../registry/media-types.js';

/** Docker's container.Config for an image, keys in Docker's struct order (omitempty honoured). */
export function dockerImageConfig(c: ImageRuntimeConfig | undefined): Record<string, unknown> {
  const cfg = c ?? {};
  const out: Record<string, unknown> = {
    Hostname: '',
    Domainname: '',
    User: cfg.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
  };
  if (cfg.ExposedPorts && Object.keys(cfg.ExposedPorts).length > 0)
    out.ExposedPorts = asGoMap({ ...cfg.ExposedPorts });
  out.Tty = false;
  out.OpenStdin = false;
  out.StdinOnce = false;
  out.Env = cfg.Env ?? null;
  out.Cmd = cfg.Cmd ?? null;
  if (cfg.Healthcheck) out.Healthcheck = cfg.Healthcheck;
  if (cfg.ArgsEscaped) out.ArgsEscaped = true;
  out.Image = '';
  out.Volumes = cfg.Volumes ? asGoMap({ ...cfg.Volumes }) : null;
  out.WorkingDir = cfg.WorkingDir ?? '';
  out.Entrypoint = cfg.Entrypoint ?? null;
  out.OnBuild = cfg.OnBuild ?? null;
  out.Labels = cfg.Labels ? asGoMap({ ...cfg.Labels }) : null;
  if (cfg.StopSignal) out.StopSignal = cfg.StopSignal;
  if (cfg.Shell && cfg.Shell.length > 0) out.Shell = cfg.Shell;
  // What the omitempty fields read as in a template (`{{.Config.ExposedPorts}}`: map[]).
  return withZeroFields(out, {
    ExposedPorts: asGoMap({}),
    Healthcheck: null,
    ArgsEscaped: false,
    StopSignal: '',
    Shell: null,
  });
}

function names(all: readonly LocalImage[], id: string): { tags: string[]; digests: string[] } {
  const tags: string[] = [];
  const digests: string[] = [];
  for (const img of all) {
    if (img.configDigest !== id) continue;
    const ref = recordReference(img.name);
    if (!ref) continue;
    if (ref.tag !== undefined) tags.push(`${ref.familiarName}:${ref.tag}`);
    const d = `${ref.familiarName}@${ref.digest ?? img.target.digest}`;
    if (!digests.includes(d)) digests.push(d);
  }
  return { tags: tags.sort(), digests: digests.sort() };
}

/** The inspect object for one resolved image. */
export function inspectObject(
  img: LocalImage,
  all: readonly LocalImage[],
  size: number,
  snapshotter: string,
): Record<string, unknown> {
  const { tags, digests } = names(all, img.configDigest);
  const c = img.config;
  const obj: Record<string, unknown> = {
    Id: img.configDigest,
    RepoTags: tags,
    RepoDigests: digests,
    Parent: '',
    Comment: c.history?.at(-1)?.comment ?? '',
    Created: c.created ?? '0001-01-01T00:00:00Z',
    DockerVersion: (c as { docker_version?: string }).docker_version ?? '',
    Author: c.author ?? '',
    Config: dockerImageConfig(c.config),
    Architecture: c.architecture,
  };
  if (c.variant) obj.Variant = c.variant;
  obj.Os = c.os;
  if (c['os.version']) obj.OsVersion = c['os.version'];
  obj.Size = size;
  obj.GraphDriver = { Data: null, Name: snapshotter };
  obj.RootFS = { Type: 'layers', Layers: img.diffIds };
  obj.Metadata = { LastTagTime: '0001-01-01T00:00:00Z' };
  return withZeroFields(obj, { Variant: '', OsVersion: '' });
}

export interface InspectResult {
  objects: Record<string, unknown>[];
  /** One message per name that matched nothing: `No such image: x`. */
  errors: string[];
}

export async function inspectImages(
  client: Client,
  args: readonly string[],
  opts: { platform?: Platform; snapshotter: string },
): Promise<InspectResult> {
  const all = await listLocalImages(client);
  const found: LocalImage[] = [];
  const errors: string[] = [];
  for (const arg of args) {
    try {
      found.push(
        await resolveLocalImage(client, arg, opts.platform ? { platform: opts.platform } : {}),
      );
    } catch (err) {
      if (!(err instanceof BerthError)) throw err;
      // Docker names the object as it was typed here, not normalised.
      errors.push(err instanceof NoSuchImageError ? `No such image: ${arg}` : errorText(err));
    }
  }
  const sizes = await imageSizes(client, opts.snapshotter, found);
  return {
    objects: found.map((img) =>
      inspectObject(img, all, sizes.get(img.configDigest) ?? 0, opts.snapshotter),
    ),
    errors,
  };
}
