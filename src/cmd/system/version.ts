import { spawnSync } from 'node:child_process';
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

function runcVersion(): ComponentVersion | undefined {
  const r = spawnSync('runc', ['--version'], { encoding: 'utf8', timeout: 2000 });
  if (r.status !== 0 || !r.stdout) return undefined;
  const version = /runc version (\S+)/.exec(r.stdout)?.[1] ?? '';
  const commit = /commit: (\S+)/.exec(r.stdout)?.[1] ?? '';
  return { Name: 'runc', Version: version, Details: { GitCommit: commit } };
}

export async function getVersion(
  client: Client,
  clientVersion: string,
): Promise<{ info: VersionInfo; error?: BerthError }> {
  const info: VersionInfo = {
    Client: { Version: clientVersion, NodeVersion: process.version, Os: process.platform, Arch: goArch() },
  };
  try {
    const v = await client.version.version();
    const components: ComponentVersion[] = [
      { Name: 'containerd', Version: v.version, Details: { GitCommit: v.revision } },
    ];
    const runc = runcVersion();
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
