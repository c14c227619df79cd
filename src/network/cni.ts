/**
 * A minimal CNI runtime (the part of libcni berth needs): runs the plugins of a conflist in
 * order with `prevResult` chaining, and caches the ADD result so DEL and CHECK can run later,
 * from another process. npm has no maintained CNI library, so this is berth's own.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface CniPluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  ipam?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: CniPluginConf[];
  [key: string]: unknown;
}

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniIp {
  address: string;
  gateway?: string;
  interface?: number;
}

export interface CniResult {
  cniVersion?: string;
  interfaces?: CniInterface[];
  ips?: CniIp[];
  routes?: unknown[];
  dns?: unknown;
}

export interface CniRuntime {
  /** CNI_CONTAINERID. */
  containerId: string;
  /** CNI_NETNS (a path). */
  netns: string;
  /** CNI_IFNAME. */
  ifName: string;
  /** CNI_ARGS pairs. */
  args?: Record<string, string>;
  /** Values for plugins that declare the matching capability (portMappings, ips, mac…). */
  capabilityArgs?: Record<string, unknown>;
}

export class CniError extends Error {
  constructor(
    readonly plugin: string,
    readonly command: string,
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

/** Finds a plugin binary on the `:`-separated cniPath. */
export function findPlugin(cniPath: string, type: string): string {
  for (const dir of cniPath.split(':').filter(Boolean)) {
    const p = join(dir, type);
    if (existsSync(p)) return p;
  }
  throw new CniError(type, 'FIND', `failed to find plugin "${type}" in path [${cniPath}]`);
}

/** The stdin a plugin gets: its own config plus name, cniVersion, runtimeConfig, prevResult. */
export function pluginStdin(
  list: CniConfList,
  plugin: CniPluginConf,
  rt: CniRuntime,
  prevResult?: CniResult,
): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  const runtimeConfig: Record<string, unknown> = {};
  for (const [cap, on] of Object.entries(plugin.capabilities ?? {})) {
    if (on && rt.capabilityArgs?.[cap] !== undefined) runtimeConfig[cap] = rt.capabilityArgs[cap];
  }
  if (Object.keys(runtimeConfig).length > 0) conf.runtimeConfig = runtimeConfig;
  if (prevResult) conf.prevResult = prevResult;
  return conf;
}

/** Runs one plugin with CNI_COMMAND=command; resolves to its parsed stdout (or undefined). */
export function execPlugin(
  cniPath: string,
  command: 'ADD' | 'DEL' | 'CHECK',
  stdin: Record<string, unknown>,
  rt: CniRuntime,
): Promise<CniResult | undefined> {
  const type = String(stdin.type);
  const bin = findPlugin(cniPath, type);
  const args = Object.entries(rt.args ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: command,
    CNI_CONTAINERID: rt.containerId,
    CNI_NETNS: rt.netns,
    CNI_IFNAME: rt.ifName,
    CNI_PATH: cniPath,
  };
  if (args) env.CNI_ARGS = args;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => reject(new CniError(type, command, e.message)));
    child.on('close', (code) => {
      if (code === 0) {
        const text = out.trim();
        if (!text) return resolve(undefined);
        try {
          return resolve(JSON.parse(text) as CniResult);
        } catch {
          return reject(new CniError(type, command, `plugin ${type}: invalid output: ${text}`));
        }
      }
      let msg = (err || out).trim();
      let errCode: number | undefined;
      try {
        const j = JSON.parse(out) as { code?: number; msg?: string; details?: string };
        errCode = j.code;
        msg = [j.msg, j.details].filter(Boolean).join(': ');
      } catch {
        /* not JSON: keep raw text */
      }
      reject(
        new CniError(
          type,
          command,
          `plugin type="${type}" failed (${command.toLowerCase()}): ${msg}`,
          errCode,
        ),
      );
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(stdin));
  });
}

/** CNI ADD over the list; returns the last plugin's result. */
export async function addNetworkList(
  cniPath: string,
  list: CniConfList,
  rt: CniRuntime,
): Promise<CniResult> {
  let prev: CniResult | undefined;
  for (const plugin of list.plugins) {
    const res = await execPlugin(cniPath, 'ADD', pluginStdin(list, plugin, rt, prev), rt);
    if (res) prev = res;
  }
  return prev ?? {};
}

/**
 * CNI DEL over the list in reverse with the cached ADD result as prevResult (as libcni does).
 * Every plugin runs even if one fails; the first error is thrown at the end.
 */
export async function delNetworkList(
  cniPath: string,
  list: CniConfList,
  rt: CniRuntime,
  cached?: CniResult,
): Promise<void> {
  let first: unknown;
  for (const plugin of [...list.plugins].reverse()) {
    try {
      await execPlugin(cniPath, 'DEL', pluginStdin(list, plugin, rt, cached), rt);
    } catch (e) {
      first ??= e;
    }
  }
  if (first) throw first;
}
