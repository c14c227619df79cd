/**
 * The instructions that only change the image config (ENV, LABEL, WORKDIR, USER, EXPOSE, VOLUME,
 * STOPSIGNAL, CMD, ENTRYPOINT, SHELL, ONBUILD, HEALTHCHECK, MAINTAINER): shared by the builder
 * and by `commit -c` / `import -c`. Each returns the new config and the history text Docker's
 * classic builder records after `/bin/sh -c #(nop) `.
 */
import { posix } from 'node:path';
import { BerthError } from '../errors.js';
import { replaceOrAppendEnv } from '../oci/opts.js';
import type { HealthConfig, ImageRuntimeConfig } from '../registry/media-types.js';
import {
  DockerfileError,
  parseJsonArray,
  parseList,
  parseNameValues,
  type Instruction,
} from './dockerfile.js';

export interface MetadataContext {
  /** Word expansion with the step's environment. */
  expand: (word: string) => string;
  escape: string;
  file: string;
  shell: string[];
  /** CMD was set in this stage (an ENTRYPOINT then keeps it). */
  cmdSet: boolean;
}

export interface MetadataResult {
  rc: ImageRuntimeConfig;
  /** History text after `#(nop) `. */
  text: string;
  shell?: string[];
  cmdSet?: boolean;
  author?: string;
}

/** Instructions applyMetadata handles. */
export const METADATA_INSTRUCTIONS = new Set([
  'ENV',
  'LABEL',
  'MAINTAINER',
  'WORKDIR',
  'USER',
  'EXPOSE',
  'VOLUME',
  'STOPSIGNAL',
  'CMD',
  'ENTRYPOINT',
  'SHELL',
  'ONBUILD',
  'HEALTHCHECK',
]);

/** Go's time.Duration.String for whole seconds and up (HEALTHCHECK's history text). */
function goDuration(ns: number | undefined): string {
  if (!ns) return '0s';
  let s = ns / 1e9;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(9).replace(/0+$/, '')}s`;
  if (h) return `${h}h${m}m${sec}`;
  if (m) return `${m}m${sec}`;
  return sec;
}

/** Go duration syntax for HEALTHCHECK flags (`30s`, `1m30s`, `500ms`) in nanoseconds. */
function parseGoDuration(text: string, flag: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = {
    ns: 1,
    us: 1e3,
    µs: 1e3,
    ms: 1e6,
    s: 1e9,
    m: 6e10,
    h: 3.6e12,
  };
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== text.length || text === '') {
    throw new BerthError(`time: invalid duration "${text}" for --${flag}`);
  }
  return Math.round(total);
}

/** Go's %q of a []string: `["a" "b"]`. */
function goQuoteList(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

function healthcheck(
  ins: Instruction,
  rc: ImageRuntimeConfig,
  file: string,
): [string, ImageRuntimeConfig] {
  const rest = ins.args.trim();
  if (/^none$/i.test(rest)) {
    rc.Healthcheck = { Test: ['NONE'] };
    return [` HEALTHCHECK &{["NONE"] "0s" "0s" "0s" '\\x00'}`, rc];
  }
  const m = /^cmd\s+([\s\S]*)$/i.exec(rest);
  if (!m) {
    throw new DockerfileError(
      `${file}:${ins.line}: Unknown type "${rest.split(/\s+/)[0] ?? ''}" in HEALTHCHECK (try CMD)`,
    );
  }
  const json = parseJsonArray(m[1]!);
  const hc: HealthConfig = { Test: json ? ['CMD', ...json] : ['CMD-SHELL', m[1]!.trim()] };
  const f = ins.flags;
  const dur = (name: string): number | undefined =>
    f.has(name) ? parseGoDuration(f.get(name)!, name) : undefined;
  const interval = dur('interval');
  const timeout = dur('timeout');
  const start = dur('start-period');
  const startInterval = dur('start-interval');
  if (interval !== undefined) hc.Interval = interval;
  if (timeout !== undefined) hc.Timeout = timeout;
  if (start !== undefined) hc.StartPeriod = start;
  if (startInterval !== undefined) hc.StartInterval = startInterval;
  if (f.has('retries')) hc.Retries = Number(f.get('retries'));
  rc.Healthcheck = hc;
  const retries = hc.Retries ?? 0;
  const text = ` HEALTHCHECK &{${goQuoteList(hc.Test!)} "${goDuration(interval)}" "${goDuration(timeout)}" "${goDuration(start)}" '\\x${retries.toString(16).padStart(2, '0')}'}`;
  return [text, rc];
}

/** Applies one config-only instruction to a copy of `rc0`. */
export function applyMetadata(
  ins: Instruction,
  rc0: ImageRuntimeConfig,
  ctx: MetadataContext,
): MetadataResult {
  const rc: ImageRuntimeConfig = { ...rc0 };
  const res = (
    text: string,
    next: ImageRuntimeConfig,
    extra: { shell?: string[]; cmdSet?: boolean } = {},
    author?: string,
  ): MetadataResult => ({ rc: next, text, ...extra, ...(author !== undefined ? { author } : {}) });
  switch (ins.keyword) {
    case 'ENV': {
      const pairs = parseNameValues(ins, ctx.escape, ctx.file).map(({ key, value }) => [
        ctx.expand(key),
        ctx.expand(value),
      ]);
      rc.Env = replaceOrAppendEnv(
        rc.Env ?? [],
        pairs.map(([k, v]) => `${k}=${v}`),
      );
      return res(` ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, rc);
    }
    case 'LABEL': {
      const pairs = parseNameValues(ins, ctx.escape, ctx.file).map(({ key, value }) => [
        ctx.expand(key),
        ctx.expand(value),
      ]);
      rc.Labels = { ...(rc.Labels ?? {}) };
      for (const [k, v] of pairs) rc.Labels[k!] = v!;
      return res(` LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, rc);
    }
    case 'MAINTAINER': {
      const who = ins.args.trim();
      return res(` MAINTAINER ${who}`, rc, {}, who);
    }
    case 'WORKDIR': {
      const dir = ctx.expand(ins.args.trim());
      rc.WorkingDir = posix.normalize(
        dir.startsWith('/') ? dir : posix.join(rc.WorkingDir || '/', dir),
      );
      return res(`WORKDIR ${rc.WorkingDir}`, rc);
    }
    case 'USER': {
      rc.User = ctx.expand(ins.args.trim());
      return res(` USER ${rc.User}`, rc);
    }
    case 'EXPOSE': {
      const written = ins.args
        .trim()
        .split(/\s+/)
        .map((p) => ctx.expand(p))
        .sort();
      const ports = written.map((p) => (p.includes('/') ? p.toLowerCase() : `${p}/tcp`));
      for (const p of ports) {
        if (!/^\d+(-\d+)?\/(tcp|udp|sctp)$/.test(p)) {
          throw new DockerfileError(`${ctx.file}:${ins.line}: invalid containerPort: ${p}`);
        }
      }
      rc.ExposedPorts = { ...(rc.ExposedPorts ?? {}) };
      for (const p of ports) rc.ExposedPorts[p] = {};
      return res(` EXPOSE ${written.join(' ')}`, rc);
    }
    case 'VOLUME': {
      const vols = parseList(ins.args).map((v) => ctx.expand(v));
      if (vols.some((v) => v.trim() === '')) {
        throw new DockerfileError(
          `${ctx.file}:${ins.line}: VOLUME specified can not be an empty string`,
        );
      }
      rc.Volumes = { ...(rc.Volumes ?? {}) };
      for (const v of vols) rc.Volumes[v] = {};
      return res(` VOLUME [${vols.join(' ')}]`, rc);
    }
    case 'STOPSIGNAL': {
      rc.StopSignal = ctx.expand(ins.args.trim());
      return res(` STOPSIGNAL ${rc.StopSignal}`, rc);
    }
    case 'CMD':
    case 'ENTRYPOINT': {
      const json = parseJsonArray(ins.args);
      const cmd = json ?? [...ctx.shell, ins.args.trim()];
      if (ins.keyword === 'CMD') {
        rc.Cmd = cmd;
        return res(` CMD ${goQuoteList(cmd)}`, rc, { cmdSet: true });
      }
      rc.Entrypoint = cmd;
      if (!ctx.cmdSet) rc.Cmd = null;
      return res(` ENTRYPOINT ${goQuoteList(cmd)}`, rc);
    }
    case 'SHELL': {
      const shell = parseJsonArray(ins.args);
      if (!shell || shell.length === 0) {
        throw new DockerfileError(
          `${ctx.file}:${ins.line}: SHELL requires the arguments to be in JSON form`,
        );
      }
      rc.Shell = shell;
      return res(` SHELL [${shell.join(' ')}]`, rc, { shell });
    }
    case 'ONBUILD': {
      const trigger = ins.args.trim();
      const kw = trigger.split(/\s+/)[0]!.toUpperCase();
      if (kw === 'ONBUILD' || kw === 'FROM' || kw === 'MAINTAINER') {
        throw new DockerfileError(
          `${ctx.file}:${ins.line}: ${kw} isn't allowed as an ONBUILD trigger`,
        );
      }
      const text = `${kw}${trigger.slice(kw.length)}`;
      rc.OnBuild = [...(rc.OnBuild ?? []), text];
      return res(` ONBUILD ${text}`, rc);
    }
    case 'HEALTHCHECK':
      return res(...healthcheck(ins, rc, ctx.file));
    default:
      throw new DockerfileError(`${ctx.file}:${ins.line}: unknown instruction: ${ins.keyword}`);
  }
}
