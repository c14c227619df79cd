/**
 * The classic Docker builder's semantics over containerd: every stage up to the target, in
 * order; each step either reused from the cache or executed (RUN: a task on a snapshot of the
 * parent, its layer made by Diff.Diff; COPY/ADD: a tar made here and applied by Diff.Apply;
 * everything else: config only, an `empty_layer` history entry). Every step yields an image
 * config whose digest is the step's ID, as Docker's intermediate images.
 */
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Client } from '../containerd/client.js';
import type { Settings } from '../config/index.js';
import { AlreadyExistsError } from '../containerd/errors.js';
import { withLease } from '../containerd/leases.js';
import { BerthError } from '../errors.js';
import { chainIds } from '../image/chain.js';
import { ensureImage } from '../image/ensure.js';
import type { LocalImage } from '../image/local.js';
import { unpackImage } from '../image/unpack.js';
import { replaceOrAppendEnv } from '../oci/opts.js';
import { DEFAULT_PATH_ENV } from '../oci/spec.js';
import { resolveUser } from '../oci/user.js';
import { hostPlatform, formatPlatform } from '../image/platform.js';
import {
  MediaType,
  type Descriptor,
  type ImageConfig,
  type ImageRuntimeConfig,
} from '../registry/media-types.js';
import {
  isInterrupted,
  runStepProcess,
  snapshotDirs,
  type SnapshotMount,
} from './container-adapter.js';
import { hashSources, resolveSources, type BuildContext, type Source } from './context.js';
import { LayeredRoot, layerStream, planCopy } from './copy.js';
import {
  DockerfileError,
  parseDockerfile,
  parseJsonArray,
  parseList,
  type Instruction,
  type ParsedDockerfile,
  type Stage,
} from './dockerfile.js';
import { applyMetadata } from './metadata.js';
import { diffMounts, withView } from './snapshot-diff.js';
import { processWord, ShellExpansionError, type Env } from './shell.js';
import {
  CACHE_KEY_LABEL,
  CACHE_LAYER_LABEL,
  CACHE_LAYER_SIZE_LABEL,
  type CacheEntry,
  CACHE_LEASE,
  configGcLabels,
  ensureCacheLease,
  jsonBlob,
  loadCacheIndex,
  storeImage,
  writeSmallBlob,
  writeStreamBlob,
} from './store.js';
import { truncateId } from '../formatter/text.js';

export interface BuildOptions {
  context: BuildContext;
  dockerfile: { text: string; name: string };
  /** Full references to tag the result with. */
  tags: string[];
  /** `--build-arg K=V` (value) or `--build-arg K` (undefined: the host's value, if any). */
  buildArgs: Map<string, string | undefined>;
  target?: string;
  noCache: boolean;
  pull: boolean;
  labels: [string, string][];
  network: string;
  addHost: string[];
  /** Progress text (stdout unless -q). */
  out: (s: string) => void;
  /** RUN steps' output; default `out`. */
  processOut?: (s: string) => void;
  signal?: AbortSignal;
}

export interface BuildResult {
  /** sha256:<hex>, Docker's image ID. */
  id: string;
}

/** A failing RUN: Docker's message, its exit code. */
export class RunStepError extends BerthError {
  constructor(command: string, code: number) {
    super(`The command '${command}' returned a non-zero code: ${code}`, { exitCode: code });
  }
}

export class BuildInterruptedError extends BerthError {
  constructor() {
    super('berth: build interrupted', { exitCode: 130 });
  }
}

type Layer = Pick<Descriptor, 'mediaType' | 'digest'> & { size?: number };

interface StepState {
  /** The config's `config` (Env, Cmd, …): always known. */
  runConfig: ImageRuntimeConfig;
  /** The whole config, when it has been made or read (a cache hit leaves it unread). */
  full?: ImageConfig;
  configDigest: string;
  diffIds: string[];
  /** '' for an image without layers. */
  chainId: string;
  layers: Layer[];
}

interface StageState extends StepState {
  /** ARGs declared in this stage (value undefined: declared, no value). */
  args: Map<string, string | undefined>;
  shell: string[];
  /** CMD set in this stage (an ENTRYPOINT then keeps it). */
  cmdSet: boolean;
}

/** Docker's history prefix for steps that run nothing, in the stage's SHELL. */
const nop = (shell: readonly string[]): string => `${shell.join(' ')} #(nop) `;

/**
 * The cache key of a step: its parent (the parent's ID covers its whole config, layers and
 * history; only a scratch stage has none, and then its config stands in) and the step's history
 * text, which carries everything else a step depends on: the instruction with its expanded
 * arguments, the build args a RUN sees (`|N K=V …`), a COPY's source content hash.
 */
export function stepCacheKey(
  parentDigest: string,
  parentConfig: ImageRuntimeConfig,
  createdBy: string,
): string {
  const base = parentDigest || JSON.stringify(parentConfig);
  return createHash('sha256').update(`${base}\n${createdBy}`).digest('hex');
}

function envMap(entries: readonly string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of entries ?? []) {
    const eq = e.indexOf('=');
    m.set(eq < 0 ? e : e.slice(0, eq), eq < 0 ? '' : e.slice(eq + 1));
  }
  return m;
}

class StepRunner {
  private readonly snapshotter: string;
  private cache = new Map<string, CacheEntry>();
  private readonly pendingConfigs: Promise<unknown>[] = [];
  private readonly stageResults = new Map<string, StageState>();
  private readonly stageByIndex: StageState[] = [];
  private readonly usedArgs = new Set<string>();
  private stepNo = 0;
  private total = 0;
  private readonly mountRoot: string;

  constructor(
    private readonly client: Client,
    private readonly settings: Settings,
    private readonly o: BuildOptions,
    private readonly lease: string,
    private readonly escape: string,
  ) {
    this.snapshotter = settings.snapshotter;
    this.mountRoot = join(settings.dataRoot, 'build', 'mnt');
  }

  private out(s: string): void {
    this.o.out(s);
  }

  private checkAbort(): void {
    if (this.o.signal?.aborted) throw new BuildInterruptedError();
  }

  async run(df: ParsedDockerfile): Promise<StepState> {
    if (!this.o.noCache) this.cache = await loadCacheIndex(this.client);
    let stages = df.stages;
    if (this.o.target !== undefined) {
      const t = this.o.target.toLowerCase();
      const at = stages.findIndex((s) => s.name === t);
      if (at < 0)
        throw new BerthError(`failed to reach build target ${this.o.target} in Dockerfile`);
      stages = stages.slice(0, at + 1);
    }
    const last = stages.at(-1)!;
    const extra: Instruction[] = [];
    if (this.o.labels.length > 0) {
      const text = `LABEL ${this.o.labels.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}`;
      extra.push({
        keyword: 'LABEL',
        original: text,
        line: 0,
        flags: new Map(),
        args: text.slice(6),
      });
    }
    this.total =
      df.metaArgs.length + stages.reduce((n, s) => n + 1 + s.instructions.length, 0) + extra.length;

    // Meta ARGs: only FROM lines see them.
    const meta = new Map<string, string>();
    for (const ins of df.metaArgs) {
      this.step(ins);
      for (const [k, v] of this.argPairs(ins, meta)) if (v !== undefined) meta.set(k, v);
    }
    let state: StageState | undefined;
    for (const stage of stages) {
      state = await this.fromStage(stage, meta);
      const instructions = stage === last ? [...stage.instructions, ...extra] : stage.instructions;
      for (const ins of instructions) {
        this.checkAbort();
        this.step(ins);
        state = await this.dispatch(state, ins);
        this.out(` ---> ${truncateId(state.configDigest)}\n`);
      }
      this.stageByIndex.push(state);
      if (stage.name) this.stageResults.set(stage.name, state);
    }
    const unused = [...this.o.buildArgs.keys()].filter(
      (k) => !this.usedArgs.has(k) && !meta.has(k),
    );
    if (unused.length > 0) {
      this.out(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    }
    return state!;
  }

  /** Waits for the step configs written in the background. */
  async flush(): Promise<void> {
    await Promise.allSettled(this.pendingConfigs);
    for (const p of this.pendingConfigs) await p;
  }

  private step(ins: Instruction): void {
    this.stepNo++;
    this.out(`Step ${this.stepNo}/${this.total} : ${ins.original}\n`);
  }

  private argPairs(ins: Instruction, env: Env): [string, string | undefined][] {
    const out: [string, string | undefined][] = [];
    for (const w of ins.args.trim().split(/\s+/)) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      const dflt = eq < 0 ? undefined : this.expand(w.slice(eq + 1), env, ins);
      let value = dflt;
      if (this.o.buildArgs.has(name)) {
        this.usedArgs.add(name);
        const given = this.o.buildArgs.get(name);
        value = given ?? process.env[name] ?? dflt;
      }
      out.push([name, value]);
    }
    return out;
  }

  private expand(word: string, env: Env, ins: Instruction): string {
    try {
      return processWord(word, env, this.escape);
    } catch (err) {
      if (err instanceof ShellExpansionError) {
        throw new DockerfileError(
          `${this.o.dockerfile.name}:${ins.line}: failed to process "${word}": ${err.message}`,
        );
      }
      throw err;
    }
  }

  /** Env for expansion: the config's Env over the stage's ARGs. */
  private expansionEnv(s: StageState): Map<string, string> {
    const env = new Map<string, string>();
    for (const [k, v] of s.args) if (v !== undefined) env.set(k, v);
    for (const [k, v] of envMap(s.runConfig.Env)) env.set(k, v);
    return env;
  }

  private async fromStage(stage: Stage, meta: Map<string, string>): Promise<StageState> {
    this.step(stage.from);
    this.checkAbort();
    if (stage.platform !== undefined) {
      const p = this.expand(stage.platform, meta, stage.from);
      const host = formatPlatform(hostPlatform());
      if (p !== host && p !== '') {
        throw new BerthError(
          `${this.o.dockerfile.name}:${stage.from.line}: FROM --platform=${p}: berth builds for the host platform (${host}) only`,
        );
      }
    }
    const base = this.expand(stage.base, meta, stage.from);
    let s: StageState;
    const named = this.stageResults.get(base.toLowerCase());
    if (named) {
      s = { ...named, args: new Map(), shell: named.shell, cmdSet: false };
    } else if (base.toLowerCase() === 'scratch') {
      const p = hostPlatform();
      const config: ImageConfig = {
        architecture: p.architecture,
        os: p.os,
        config: { Env: [DEFAULT_PATH_ENV] },
        rootfs: { type: 'layers', diff_ids: [] },
        history: [],
      };
      s = {
        runConfig: config.config!,
        full: config,
        configDigest: '',
        diffIds: [],
        chainId: '',
        layers: [],
        args: new Map(),
        shell: ['/bin/sh', '-c'],
        cmdSet: false,
      };
    } else {
      const img = await this.baseImage(base);
      s = {
        runConfig: img.config.config ?? {},
        full: img.config,
        configDigest: img.configDigest,
        diffIds: img.diffIds,
        chainId: img.chainId,
        layers: img.manifest.layers,
        args: new Map(),
        shell: img.config.config?.Shell ?? ['/bin/sh', '-c'],
        cmdSet: false,
      };
    }
    const triggers = s.runConfig.OnBuild ?? [];
    if (triggers.length > 0) {
      this.out(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      const full = await this.fullConfig(s);
      const runConfig = { ...s.runConfig, OnBuild: null };
      s = { ...s, runConfig, full: { ...full, config: runConfig } };
      for (const t of triggers) {
        const parsed = parseDockerfile(`FROM scratch\n${t}\n`, this.o.dockerfile.name);
        for (const ins of parsed.stages[0]!.instructions) s = await this.dispatch(s, ins);
      }
    }
    this.out(` ---> ${truncateId(s.configDigest)}\n`);
    return s;
  }

  private cacheLease: Promise<void> | undefined;
  private readonly bases = new Map<string, Promise<LocalImage>>();

  /** The base image, resolved (pulled if need be) and unpacked once per build. */
  private baseImage(ref: string): Promise<LocalImage> {
    let p = this.bases.get(ref);
    if (!p) {
      p = this.loadBase(ref);
      this.bases.set(ref, p);
    }
    return p;
  }

  private async loadBase(ref: string): Promise<LocalImage> {
    let img: LocalImage;
    try {
      img = await ensureImage(this.client, this.settings, ref, {
        pull: this.o.pull ? 'always' : 'missing',
        quiet: true,
        ...(this.o.signal ? { signal: this.o.signal } : {}),
      });
    } catch (err) {
      if (err instanceof BerthError) throw err;
      throw new BerthError((err as Error).message, { cause: err });
    }
    await unpackImage(this.client, img.manifest.layers, img.diffIds, {
      snapshotter: this.snapshotter,
      lease: this.lease,
      ...(this.o.signal ? { signal: this.o.signal } : {}),
    });
    return img;
  }

  private cacheKey(parent: StageState, createdBy: string): string {
    return stepCacheKey(parent.configDigest, parent.runConfig, createdBy);
  }

  /** The parent's whole config (read from the store after a cache hit). */
  private async fullConfig(s: StepState): Promise<ImageConfig> {
    if (s.full) return s.full;
    const bytes = await this.client.content.readBlob({ digest: s.configDigest });
    s.full = JSON.parse(bytes.toString()) as ImageConfig;
    return s.full;
  }

  /**
   * A step found in the cache: its state, or undefined. Nothing is read: the index names the
   * step's config and layer, and the config's GC labels keep its snapshot and layers.
   */
  private cached(
    parent: StageState,
    key: string,
    runConfig: ImageRuntimeConfig = parent.runConfig,
  ): StageState | undefined {
    if (this.o.noCache) return undefined;
    const hit = this.cache.get(key);
    if (!hit) return undefined;
    let { diffIds, layers, chainId } = parent;
    if (hit.layer) {
      diffIds = [...diffIds, hit.layer];
      layers = [
        ...layers,
        {
          mediaType: MediaType.OciLayer,
          digest: hit.layer,
          ...(hit.size !== undefined ? { size: hit.size } : {}),
        },
      ];
      chainId = chainIds(diffIds).at(-1)!;
    }
    this.out(' ---> Using cache\n');
    const state: StageState = {
      ...parent,
      runConfig,
      configDigest: hit.digest,
      diffIds,
      chainId,
      layers,
    };
    delete state.full;
    return state;
  }

  /** A new step config: history entry added, written (in the background) with its cache key. */
  private async commit(
    parent: StageState,
    createdBy: string,
    key: string,
    change: { runConfig?: ImageRuntimeConfig; layer?: Layer; chainId?: string; author?: string },
  ): Promise<StageState> {
    const now = new Date().toISOString();
    const parentFull = await this.fullConfig(parent);
    const diffIds = [...parent.diffIds];
    const layers = [...parent.layers];
    if (change.layer) {
      diffIds.push(change.layer.digest);
      layers.push(change.layer);
    }
    const runConfig = change.runConfig ?? parent.runConfig;
    const config: ImageConfig = {
      ...parentFull,
      ...(change.author !== undefined ? { author: change.author } : {}),
      created: now,
      config: runConfig,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [
        ...(parentFull.history ?? []),
        { created: now, created_by: createdBy, ...(change.layer ? {} : { empty_layer: true }) },
      ],
    };
    const { bytes, digest } = jsonBlob(config);
    const chainId = change.chainId ?? parent.chainId;
    const labels: Record<string, string> = {
      ...configGcLabels(this.snapshotter, chainId, layers),
      [CACHE_KEY_LABEL]: key,
    };
    if (change.layer) {
      labels[CACHE_LAYER_LABEL] = change.layer.digest;
      if (change.layer.size !== undefined)
        labels[CACHE_LAYER_SIZE_LABEL] = String(change.layer.size);
    }
    this.cacheLease ??= ensureCacheLease(this.client);
    const write = this.cacheLease.then(() =>
      writeSmallBlob(this.client, bytes, { lease: CACHE_LEASE, labels }),
    );
    write.catch(() => undefined);
    this.pendingConfigs.push(write);
    this.cache.set(key, {
      digest,
      ...(change.layer ? { layer: change.layer.digest, size: change.layer.size } : {}),
    });
    return { ...parent, runConfig, full: config, configDigest: digest, diffIds, chainId, layers };
  }

  private async dispatch(s: StageState, ins: Instruction): Promise<StageState> {
    const rc: ImageRuntimeConfig = { ...s.runConfig };
    const env = this.expansionEnv(s);
    const x = (w: string): string => this.expand(w, env, ins);
    const meta = async (
      text: string,
      next: ImageRuntimeConfig,
      extra: Partial<StageState> = {},
      author?: string,
    ): Promise<StageState> => {
      const base = { ...s, ...extra };
      const createdBy = `${nop(base.shell)}${text}`;
      const key = this.cacheKey(s, createdBy);
      const hit = this.cached(base, key, next);
      if (hit) return hit;
      return this.commit(base, createdBy, key, {
        runConfig: next,
        ...(author !== undefined ? { author } : {}),
      });
    };
    switch (ins.keyword) {
      case 'ARG': {
        const args = new Map(s.args);
        for (const [k, v] of this.argPairs(ins, env)) args.set(k, v);
        return meta(` ARG ${ins.args.trim()}`, rc, { args });
      }
      case 'RUN':
        return this.runStep(s, ins);
      case 'COPY':
      case 'ADD':
        return this.copyStep(s, ins, env);
      default: {
        const r = applyMetadata(ins, rc, {
          expand: x,
          escape: this.escape,
          file: this.o.dockerfile.name,
          shell: s.shell,
          cmdSet: s.cmdSet,
        });
        const extra: Partial<StageState> = {};
        if (r.shell) extra.shell = r.shell;
        if (r.cmdSet) extra.cmdSet = true;
        return meta(r.text, r.rc, extra, r.author);
      }
    }
  }

  // ---- RUN

  private async runStep(s: StageState, ins: Instruction): Promise<StageState> {
    const json = parseJsonArray(ins.args);
    const cmd = json ?? [...s.shell, ins.args.trim()];
    const configEnv = envMap(s.runConfig.Env);
    const argEnv: string[] = [];
    for (const [k, v] of s.args) {
      if (v !== undefined && !configEnv.has(k)) argEnv.push(`${k}=${v}`);
    }
    argEnv.sort();
    const createdBy = `${argEnv.length > 0 ? `|${argEnv.length} ${argEnv.join(' ')} ` : ''}${cmd.join(' ')}`;
    const key = this.cacheKey(s, createdBy);
    const hit = this.cached(s, key);
    if (hit) return hit;

    const rc = s.runConfig;
    let env = replaceOrAppendEnv(rc.Env ?? [], argEnv);
    if (!env.some((e) => e.startsWith('PATH='))) env = [DEFAULT_PATH_ENV, ...env];
    const layer = await this.inSnapshot(s, async (snapshotKey, mounts) => {
      const code = await runStepProcess(this.client, this.settings, {
        snapshotter: this.snapshotter,
        snapshotKey,
        mounts,
        lease: this.lease,
        args: cmd,
        env,
        user: rc.User ?? '',
        cwd: rc.WorkingDir || '/',
        network: this.o.network,
        addHost: this.o.addHost,
        onStdout: (d) => (this.o.processOut ?? this.o.out)(d.toString()),
        onStderr: (d) => (this.o.processOut ?? this.o.out)(`\x1b[91m${d.toString()}\x1b[0m`),
        ...(this.o.signal ? { signal: this.o.signal } : {}),
        onContainer: (id) => {
          this.runningIn = id;
          this.out(` ---> Running in ${truncateId(id)}\n`);
        },
      }).catch((err: unknown) => {
        if (isInterrupted(err) || this.o.signal?.aborted) throw new BuildInterruptedError();
        throw err;
      });
      if (this.o.signal?.aborted) throw new BuildInterruptedError();
      if (code !== 0) throw new RunStepError(cmd.join(' '), code);
      this.out(`Removing intermediate container ${truncateId(this.runningIn)}\n`);
      const diff = await this.diffLayer(s.chainId, mounts);
      return diff;
    });
    return this.commit(s, createdBy, key, { layer: layer.layer, chainId: layer.chainId });
  }

  private runningIn = '';

  /** Diff.Diff between the parent's view and the step's snapshot: the step's layer. */
  private diffLayer(parentChain: string, upper: SnapshotMount[]): Promise<Layer> {
    return withView(this.client, this.snapshotter, parentChain, this.lease, (lower) =>
      diffMounts(this.client, lower, upper, this.lease),
    );
  }

  /**
   * Prepares an active snapshot on the parent, runs fn (which returns the step's layer), and
   * commits the snapshot under the new chain ID; the active snapshot never outlives the step.
   */
  private async inSnapshot(
    s: StageState,
    fn: (key: string, mounts: SnapshotMount[]) => Promise<Layer>,
  ): Promise<{ layer: Layer; chainId: string }> {
    const key = `berth-build-${randomBytes(12).toString('hex')}`;
    const { mounts } = await this.client.snapshots.prepare(
      { snapshotter: this.snapshotter, key, parent: s.chainId, labels: {} },
      { lease: this.lease },
    );
    let done = false;
    try {
      const layer = await fn(key, mounts as SnapshotMount[]);
      const chainId = chainIds([...s.diffIds, layer.digest]).at(-1)!;
      try {
        await this.client.snapshots.commit(
          { snapshotter: this.snapshotter, name: chainId, key, labels: {} },
          { lease: this.lease },
        );
        done = true;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        await this.client.leases.addResource({
          id: this.lease,
          resource: { id: chainId, type: `snapshots/${this.snapshotter}` },
        });
      }
      return { layer, chainId };
    } finally {
      if (!done) {
        await this.client.snapshots
          .remove({ snapshotter: this.snapshotter, key })
          .catch(() => undefined);
      }
    }
  }

  // ---- COPY / ADD

  private async copyStep(s: StageState, ins: Instruction, env: Env): Promise<StageState> {
    const verb = ins.keyword;
    const x = (w: string): string => this.expand(w, env, ins);
    const words = parseList(ins.args).map(x);
    if (words.length < 2) {
      throw new DockerfileError(
        `${this.o.dockerfile.name}:${ins.line}: ${verb} requires at least two arguments, but only one was provided. Destination could not be determined.`,
      );
    }
    const destRaw = words.at(-1)!;
    const srcs = words.slice(0, -1);
    if (verb === 'ADD') {
      const url = srcs.find((p) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p));
      if (url) {
        throw new BerthError(
          `ADD failed: ${url}: remote sources are not supported (berth's builder has no network access to fetch URLs); download the file into the build context and ADD it from there`,
        );
      }
    }
    const from = ins.flags.get('from');
    const chown = ins.flags.get('chown');
    let sources: Source[];
    let keyOverride: string | undefined;
    let release = async (): Promise<void> => undefined;
    if (from !== undefined) {
      const name = x(from);
      const stage =
        this.stageResults.get(name.toLowerCase()) ??
        (/^\d+$/.test(name) ? this.stageByIndex[Number(name)] : undefined);
      let chainId: string;
      let fromId: string;
      if (stage) {
        chainId = stage.chainId;
        fromId = stage.configDigest;
      } else {
        const img = await this.baseImage(name);
        chainId = img.chainId;
        fromId = img.configDigest;
      }
      // Another stage's files are what its ID says they are: no need to look at them on a hit.
      const fromKey = this.cacheKey(
        s,
        `${verb} --from=${fromId} --chown=${chown ?? ''} ${JSON.stringify(srcs)} ${destRaw}`,
      );
      const fromHit = this.cached(s, fromKey);
      if (fromHit) return fromHit;
      keyOverride = fromKey;
      const root = await this.rootDir(chainId);
      release = root.release;
      sources = await resolveSources(root.dir, srcs, () => false, verb).catch(
        async (e: unknown) => {
          await release();
          throw e;
        },
      );
    } else {
      sources = await resolveSources(this.o.context.root, srcs, this.o.context.excluded, verb);
    }
    try {
      const hash = await hashSources(sources);
      const kind = sources.length > 1 ? 'multi' : sources[0]!.stat.isDirectory() ? 'dir' : 'file';
      const chownText = chown !== undefined ? `--chown=${chown}` : '';
      const createdBy = `${nop(s.shell)}${verb} ${chownText}${kind}:${hash} in ${destRaw} `;
      const key = keyOverride ?? this.cacheKey(s, createdBy);
      const hit = keyOverride ? undefined : this.cached(s, key);
      if (hit) return hit;
      const rc = s.runConfig;
      const workdir = rc.WorkingDir || '/';
      let dest = destRaw.startsWith('/') ? destRaw : posix.join(workdir, destRaw);
      if (
        (destRaw.endsWith('/') || destRaw === '.' || destRaw.endsWith('/.')) &&
        !dest.endsWith('/')
      )
        dest += '/';
      const now = new Date();
      const result = await this.inSnapshot(s, async (_key, mounts) => {
        const dirs = snapshotDirs(mounts);
        const owner =
          chown !== undefined
            ? await resolveUser(x(chown), dirs).catch((err: unknown) => {
                throw new BerthError(
                  `${verb} failed: unable to convert uid/gid chown string to host mapping: ${(err as Error).message}`,
                );
              })
            : undefined;
        const items = await planCopy({
          sources,
          dest,
          parent: new LayeredRoot(dirs),
          ...(owner ? { owner: { uid: owner.uid, gid: owner.gid } } : {}),
          add: verb === 'ADD',
          now,
          verb,
        });
        const blob = await writeStreamBlob(this.client, layerStream(items), {
          lease: this.lease,
          ...(this.o.signal ? { signal: this.o.signal } : {}),
        });
        const { applied } = await this.client.diff.apply(
          {
            diff: { media_type: MediaType.OciLayer, digest: blob.digest, size: blob.size },
            mounts,
          },
          { lease: this.lease, timeoutMs: 0 },
        );
        if (applied && applied.digest !== blob.digest) {
          throw new BerthError(
            `applying the ${verb} layer gave ${applied.digest}, not ${blob.digest}`,
          );
        }
        return { mediaType: MediaType.OciLayer, digest: blob.digest, size: blob.size };
      });
      return this.commit(s, createdBy, key, { layer: result.layer, chainId: result.chainId });
    } finally {
      await release();
    }
  }

  /** A directory with the root filesystem of a committed snapshot chain (read-only). */
  private async rootDir(chainId: string): Promise<{ dir: string; release: () => Promise<void> }> {
    await mkdir(this.mountRoot, { recursive: true });
    const dir = await mkdtemp(join(this.mountRoot, 'root-'));
    if (!chainId) return { dir, release: () => rm(dir, { recursive: true, force: true }) };
    const key = `berth-build-view-${randomBytes(8).toString('hex')}`;
    const { mounts } = await this.client.snapshots.view(
      { snapshotter: this.snapshotter, key, parent: chainId, labels: {} },
      { lease: this.lease },
    );
    const removeView = (): Promise<void> =>
      this.client.snapshots.remove({ snapshotter: this.snapshotter, key }).catch(() => undefined);
    const bind = mounts.length === 1 && mounts[0]!.type === 'bind' ? mounts[0]! : undefined;
    if (bind) {
      await rm(dir, { recursive: true, force: true });
      return { dir: bind.source, release: removeView };
    }
    const m = mounts[0]!;
    try {
      await exec('mount', ['-t', m.type, '-o', m.options.join(','), m.source, dir]);
    } catch (err) {
      await removeView();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    return {
      dir,
      release: async () => {
        await exec('umount', [dir]).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
        await removeView();
      },
    };
  }
}

function exec(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new BerthError(`${cmd}: ${err.trim()}`)),
    );
  });
}

/** Runs the whole build; the image is stored and tagged. */
export async function build(
  client: Client,
  settings: Settings,
  o: BuildOptions,
): Promise<BuildResult> {
  const df = parseDockerfile(o.dockerfile.text, o.dockerfile.name);
  return withLease(
    client,
    async (lease) => {
      const runner = new StepRunner(client, settings, o, lease, df.escape);
      let final: StepState;
      try {
        final = await runner.run(df);
      } finally {
        await runner.flush();
      }
      const layers: Descriptor[] = await Promise.all(
        final.layers.map(async (l) => {
          if (l.size !== undefined)
            return { mediaType: l.mediaType, digest: l.digest, size: l.size };
          const { info } = await client.content.info({ digest: l.digest });
          return { mediaType: l.mediaType, digest: l.digest, size: Number(info?.size ?? 0) };
        }),
      );
      if (!final.configDigest) {
        throw new BerthError('the build produced no image (a scratch stage with no instructions)');
      }
      const configBytes = await client.content.readBlob({ digest: final.configDigest });
      await storeImage(
        client,
        { configBytes, configDigest: final.configDigest, layers },
        o.tags,
        lease,
      );
      return { id: final.configDigest };
    },
    { expireHours: 1 },
  );
}
