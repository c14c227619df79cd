/**
 * What runc leaves in a container's root filesystem only as mount targets: the empty
 * /etc/hostname, /etc/hosts and /etc/resolv.conf it bind-mounts over, and the empty /dev, /proc
 * and /sys it mounts filesystems on. Docker keeps these in a hidden init layer below the
 * container's own, so neither `docker diff` nor `docker commit` shows them; berth takes them out
 * of the layer the diff service makes, with the directories (`/etc`) that are in it only because
 * of them.
 */
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/** Empty files runc bind-mounts over. */
const FILE_TARGETS = new Set(['etc/hostname', 'etc/hosts', 'etc/resolv.conf', '.dockerenv']);
/** Empty directories runc mounts a filesystem on. */
const DIR_TARGETS = new Set(['dev', 'proc', 'sys']);
/** Directories a layer may list only because of the targets inside them. */
const HOLDERS = new Set(['etc', ...DIR_TARGETS]);

const clean = (name: string): string =>
  name
    .replace(/^(\.\/|\/)+/, '')
    .replace(/\/+$/, '')
    .replace(/^\.$/, '');

/** True for a layer entry that is only a mount target. */
function isTarget(h: tar.Header): boolean {
  const name = clean(h.name);
  if (h.type === 'file' && (h.size ?? 0) === 0) return FILE_TARGETS.has(name);
  return h.type === 'directory' && DIR_TARGETS.has(name);
}

/** The layer tar without runc's mount targets (a stream in, a stream out). */
export function withoutMountPoints(layer: Readable): Readable {
  const extract = tar.extract();
  const pack = tar.pack();
  const out = new PassThrough();
  // A holder directory waits for its first entry that is not a target: it goes out only then.
  let held: tar.Header | undefined;
  const emit = (h: tar.Header): Promise<void> =>
    new Promise((resolve, reject) => pack.entry(h, (err) => (err ? reject(err) : resolve())));
  const work = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const name = clean(h.name);
      if (held && !name.startsWith(`${clean(held.name)}/`)) held = undefined;
      if (isTarget(h)) {
        entry.resume();
        if (h.type === 'directory') held = h;
        continue;
      }
      if (h.type === 'directory' && HOLDERS.has(name)) {
        held = h;
        entry.resume();
        continue;
      }
      if (held) {
        await emit(held);
        held = undefined;
      }
      if (h.type === 'file' || h.type === 'contiguous-file') {
        await new Promise<void>((resolve, reject) => {
          const sink = pack.entry(h, (err) => (err ? reject(err) : resolve()));
          entry.pipe(sink);
        });
      } else {
        entry.resume();
        await emit(h);
      }
    }
    pack.finalize();
  })();
  work.catch((err: unknown) => pack.destroy(err as Error));
  pipeline(layer, extract).catch((err: unknown) => pack.destroy(err as Error));
  pack.pipe(out);
  pack.on('error', (err) => out.destroy(err));
  return out;
}
