import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../../containerd/client.js';
import { BerthError } from '../../errors.js';
import { goArch } from '../../image/platform-names.js';

export interface ComponentVersion {
  Name: string;
  Version: string;
  Details: Record<string, string>;
}

export interface VersionInfo {
  Client: { Version: string; NodeVersion: string; Os: string; Arch: string };
  Server?: { Version: string; Components: ComponentVersion[] };
}

/** The runc that PATH names, identified by its file (a new runc is another key). */
function runcKey(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      const s = statSync(join(dir || '.', 'runc'));
      if (s.isFile()) return `${dir}/runc ${s.ino} ${s.mtimeMs} ${s.size}`;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

// A process that runs more than one command (the agent's worker, docs/startup.md) asks each
// runc binary once: spawning it from a large process costs ≈ 30 ms.
const runcVersions = new Map<string, Promise<ComponentVersion | undefined>>();

/** Asks runc itself, concurrently with the gRPC call, so it adds nothing to the wall time. */
function runcVersion(): Promise<ComponentVersion | undefined> {
  const key = runcKey();
  if (!key) return Promise.resolve(undefined);
  let v = runcVersions.get(key);
  if (!v) {
    runcVersions.set(key, (v = askRunc()));
    // Only an answer is kept; a failure is asked again next time.
    void v.then((r) => r ?? runcVersions.delete(key));
  }
  return v;
}

function askRunc(): Promise<ComponentVersion | undefined> {
  return new Promise((resolve) => {
    execFile('runc', ['--version'], { encoding: 'utf8', timeout: 2000 }, (err, stdout) => {
      if (err || !stdout) return resolve(undefined);
      const version = /runc version (\S+)/.exec(stdout)?.[1] ?? '';
      const commit = /commit: (\S+)/.exec(stdout)?.[1] ?? '';
      resolve({ Name: 'runc', Version: version, Details: { GitCommit: commit } });
    });
  });
}

export async function getVersion(
  client: Client,
  clientVersion: string,
): Promise<{ info: VersionInfo; error?: BerthError }> {
  const info: VersionInfo = {
    Client: {
      Version: clientVersion,
      NodeVersion: process.version,
      Os: process.platform,
      Arch: goArch(),
    },
  };
  const runcPromise = runcVersion();
  try {
    const v = await client.version.version();
    const components: ComponentVersion[] = [
      { Name: 'containerd', Version: v.version, Details: { GitCommit: v.revision } },
    ];
    const runc = await runcPromise;
    if (runc) components.push(runc);
    info.Server = { Version: v.version, Components: components };
    return { info };
  } catch (err) {
    if (err instanceof BerthError) return { info, error: err };
    throw err;
  }
}

/** Docker's `version` layout: aligned `Key: value` pairs under Client and Server. */
export function renderVersion(info: VersionInfo): string {
  const row = (indent: number, key: string, value: string): string =>
    `${' '.repeat(indent)}${`${key}:`.padEnd(19 - indent)}${value}`;
  const lines = [
    'Client:',
    row(1, 'Version', info.Client.Version),
    row(1, 'Node version', info.Client.NodeVersion),
    row(1, 'OS/Arch', `${info.Client.Os}/${info.Client.Arch}`),
  ];
  if (info.Server) {
    lines.push('', 'Server:');
    for (const c of info.Server.Components) {
      lines.push(` ${c.Name}:`, row(2, 'Version', c.Version));
      for (const [k, v] of Object.entries(c.Details)) lines.push(row(2, k, v));
    }
  }
  return `${lines.join('\n')}\n`;
}
