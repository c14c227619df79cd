/** What CRI knows that containerd's records do not, laid over Docker's ContainerJSON. */
import type { CriView } from './state.js';

type Json = Record<string, unknown>;

/** Patches a ContainerJSON built from containerd's records with CRI's answers (in place). */
export function withCriView(doc: Json, view: CriView): Json {
  const hostConfig = (doc['HostConfig'] ?? {}) as Json;
  const config = (doc['Config'] ?? {}) as Json;
  doc['LogPath'] = view.logPath;
  doc['RestartCount'] = view.attempt;
  // kubelet's CRI log format, at the path CRI keeps; no Docker log driver writes it.
  hostConfig['LogConfig'] = { Type: view.kind === 'sandbox' ? 'none' : 'cri', Config: {} };
  hostConfig['NetworkMode'] = view.networkMode;
  config['Hostname'] = view.hostname;
  const mounts = view.mounts.map((m) => ({
    Type: 'bind',
    Source: m.source,
    Destination: m.destination,
    Mode: m.readOnly ? 'ro' : '',
    RW: !m.readOnly,
    Propagation: m.propagation,
  }));
  doc['Mounts'] = mounts;
  hostConfig['Binds'] =
    mounts.length > 0
      ? mounts.map((m) => `${m.Source}:${m.Destination}${m.RW ? '' : ':ro'}`)
      : null;
  return doc;
}
