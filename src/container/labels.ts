/**
 * The container label schema, written and read in one place. Keys are in src/labels.ts (network,
 * volume and image code read a few of them too); what berth stores under them, and how each is
 * read back (ps, inspect, start, stop, port), is here.
 */
import type { HealthConfig } from '../health/config.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../config/index.js';
import { unpackJsonAny } from '../containerd/helpers.js';
import { LABEL, RESTART_LABEL, encodeEmptyLabels, withEmptyLabels } from '../labels.js';
import { STOP_SIGNAL_ANNOTATION } from '../oci/opts.js';
import type { ContainerCreateOptions } from './options.js';
import type { SecurityOpt } from '../opts/container-parsers.js';
import { familiarString, parseDockerRef } from '../registry/reference.js';
import type { Container } from './resolve.js';

/** On a create lease: the pid of the berth creating it (sweepOrphans removes a dead one's). */
export const CREATE_PID_LABEL = 'berth/create-pid';

/** berth's per-container state dir (log, hosts files, FIFOs' links, markers). */
export function stateDirOf(settings: Pick<Settings, 'dataRoot' | 'namespace'>, id: string): string {
  return join(settings.dataRoot, 'containers', settings.namespace, id);
}

/**
 * The container's state dir and json-file log: its labels', else (a container ctr or CRI made)
 * berth's own place for it under data_root, never a path made from a missing label.
 */
export function stateDirFor(
  settings: Pick<Settings, 'dataRoot' | 'namespace'>,
  c: { id: string; labels?: Record<string, string> },
): string {
  return c.labels?.[LABEL.stateDir] || stateDirOf(settings, c.id);
}

export function logPathFor(
  settings: Pick<Settings, 'dataRoot' | 'namespace'>,
  c: { id: string; labels?: Record<string, string> },
): string {
  return c.labels?.[LABEL.logPath] || join(stateDirFor(settings, c), `${c.id}-json.log`);
}

/** A port as the `berth/ports` label stores it. */
export interface PortBinding {
  HostIp?: string;
  HostPort?: string | number;
  ContainerPort?: string | number;
  Protocol?: string;
}

/** Parses a JSON label, tolerating absence and garbage. */
export function jsonLabel<T>(
  labels: Record<string, string> | undefined,
  key: string,
  fallback: T,
): T {
  const text = labels?.[key];
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function portsOf(labels: Record<string, string> | undefined): PortBinding[] {
  const v = jsonLabel<unknown>(labels, LABEL.ports, []);
  return Array.isArray(v) ? (v as PortBinding[]) : [];
}
export interface SpecLite {
  process?: {
    args?: string[];
    env?: string[];
    cwd?: string;
    user?: { uid?: number; gid?: number; username?: string };
    terminal?: boolean;
  };
  hostname?: string;
  annotations?: Record<string, string>;
  mounts?: Array<{ destination: string; type?: string; source?: string; options?: string[] }>;
  root?: { path?: string; readonly?: boolean };
  linux?: {
    resources?: {
      memory?: { limit?: number };
      cpu?: { shares?: number; quota?: number; period?: number };
      pids?: { limit?: number };
    };
    namespaces?: Array<{ type: string; path?: string }>;
  };
}

export function specOf(c: Pick<Container, 'spec'>): SpecLite {
  if (!c.spec?.value || c.spec.value.length === 0) return {};
  try {
    return unpackJsonAny<SpecLite>(c.spec);
  } catch {
    return {};
  }
}

// Listings repeat a few image names over many containers; each is parsed once.
const familiarNames = new Map<string, string>();

/** IMAGE as the user wrote it (berth/image), else the image name in familiar form. */
export function displayImage(c: Pick<Container, 'image' | 'labels'>): string {
  const typed = c.labels?.[LABEL.imageRef];
  if (typed) return typed;
  if (!c.image) return '';
  let name = familiarNames.get(c.image);
  if (name === undefined) {
    try {
      name = familiarString(parseDockerRef(c.image));
    } catch {
      name = c.image;
    }
    familiarNames.set(c.image, name);
  }
  return name;
}

/** Labels a user set (berth's, nerdctl's and containerd's bookkeeping labels hidden). */
export function userLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(withEmptyLabels(labels))) {
    if (
      k.startsWith('berth/') ||
      k.startsWith('nerdctl/') ||
      k.startsWith('containerd.io/restart.')
    )
      continue;
    out[k] = v;
  }
  return out;
}

export interface MountLabel {
  Type?: string;
  Name?: string;
  Source?: string;
  Destination?: string;
}

export function mountsOf(labels: Record<string, string> | undefined): MountLabel[] {
  const v = jsonLabel<unknown>(labels, LABEL.mounts, []);
  return Array.isArray(v) ? (v as MountLabel[]) : [];
}

/** What create knows besides the options when it writes the labels. */
export interface LabelInputs {
  imageLabels: Record<string, string>;
  name: string;
  logPath: string;
  stateDir: string;
  hostname: string;
  /** The network module's own labels (netns, networks, ports). */
  networkLabels: Record<string, string>;
  networkSettings: unknown;
  /** Docker's MountPoint shape for each mount (inspect's Mounts). */
  mounts: unknown[];
  anonymousVolumes: readonly string[];
  /** The flag's, else the image's StopSignal. */
  stopSignal?: string;
  logUri: string;
  /** The merged health check (Config.Healthcheck), if any. */
  health?: HealthConfig;
}

/** The labels a new container record carries: the user's and the image's, then berth's own. */
export function encodeContainerLabels(
  o: Pick<
    ContainerCreateOptions,
    | 'image'
    | 'labels'
    | 'autoRemove'
    | 'restart'
    | 'interactive'
    | 'tty'
    | 'readOnly'
    | 'privileged'
    | 'securityOpts'
    | 'platform'
    | 'stopTimeout'
  >,
  x: LabelInputs,
): Record<string, string> {
  const labels: Record<string, string> = {
    ...encodeEmptyLabels({ ...x.imageLabels, ...o.labels }),
    [LABEL.name]: x.name,
    [LABEL.imageRef]: o.image,
    [LABEL.logPath]: x.logPath,
    [LABEL.stateDir]: x.stateDir,
    [LABEL.hostname]: x.hostname,
    ...x.networkLabels,
    [LABEL.networkSettings]: JSON.stringify(x.networkSettings),
    [LABEL.mounts]: JSON.stringify(x.mounts),
    [LABEL.anonymousVolumes]: JSON.stringify(x.anonymousVolumes),
    [LABEL.hostConfig]: JSON.stringify({
      AutoRemove: o.autoRemove,
      RestartPolicy: { Name: o.restart.name, MaximumRetryCount: o.restart.maximumRetryCount },
      Interactive: o.interactive,
      Tty: o.tty,
      ReadonlyRootfs: o.readOnly,
      Privileged: o.privileged,
      ...securityOptLabel(shownSecurityOpts(o.securityOpts), x.stateDir),
    }),
  };
  if (o.autoRemove) labels[LABEL.autoRemove] = 'true';
  if (x.health) labels[LABEL.healthcheck] = JSON.stringify(x.health);
  if (o.platform) labels[LABEL.platform] = o.platform;
  if (o.stopTimeout !== undefined) labels[LABEL.stopTimeout] = String(o.stopTimeout);
  if (x.stopSignal) labels[STOP_SIGNAL_ANNOTATION] = x.stopSignal;
  if (o.restart.name !== 'no') {
    labels[RESTART_LABEL.policy] =
      o.restart.name === 'on-failure' && o.restart.maximumRetryCount > 0
        ? `on-failure:${o.restart.maximumRetryCount}`
        : o.restart.name;
    labels[RESTART_LABEL.logUri] = x.logUri;
    labels[RESTART_LABEL.count] = '0';
  }
  return labels;
}

/** `HostConfig.SecurityOpt` as dockerd keeps it: a seccomp file is its JSON (docker/cli sends that). */
export function shownSecurityOpts(opts: readonly SecurityOpt[]): string[] {
  return opts.map((s) => {
    switch (s.kind) {
      case 'seccomp':
        return `seccomp=${s.profile}`;
      case 'apparmor':
        return `apparmor=${s.profile}`;
      case 'label':
        return `label=${s.value}`;
      case 'no-new-privileges':
        return s.value ? 'no-new-privileges' : 'no-new-privileges=false';
      default:
        return 'systempaths=unconfined';
    }
  });
}

/** containerd caps a label at 4096 bytes; a long seccomp profile goes to the state dir instead. */
function securityOptLabel(
  shown: string[],
  stateDir: string,
): { SecurityOpt: string[] | null } | { SecurityOptFile: true } {
  if (!shown.length) return { SecurityOpt: null };
  const json = JSON.stringify(shown);
  if (json.length < 2048) return { SecurityOpt: shown };
  writeFileSync(join(stateDir, 'security-opt.json'), json, { mode: 0o600 });
  return { SecurityOptFile: true };
}
