/**
 * Seccomp as dockerd applies it: Docker's profile format (runtime-spec's plus `archMap` and
 * per-rule `includes`/`excludes` on capabilities, architectures and kernel versions), turned into
 * the runtime-spec `linux.seccomp` for one container's capability set (moby/profiles
 * `setupSeccomp`). Profiles are checked here, at create time, so a bad one is one clear line
 * instead of runc failing at start.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

import type { SpecOpt } from './opts.js';
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall } from './spec.js';

export interface SeccompFilter {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string | null;
}

export interface DockerSyscall {
  name?: string;
  names?: string[] | null;
  action: string;
  errnoRet?: number | null;
  args?: LinuxSeccompArg[] | null;
  comment?: string;
  includes?: SeccompFilter | null;
  excludes?: SeccompFilter | null;
}

export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number | null;
  architectures?: string[] | null;
  archMap?: { architecture: string; subArchitectures: string[] | null }[] | null;
  flags?: string[] | null;
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: DockerSyscall[] | null;
}

const ACTIONS = new Set([
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
]);
const OPERATORS = new Set([
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
]);
const ARCHES = new Set([
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64',
  'SCMP_ARCH_LOONGARCH64',
]);
const FLAGS = new Set([
  'SECCOMP_FILTER_FLAG_TSYNC',
  'SECCOMP_FILTER_FLAG_LOG',
  'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
]);

/** Node's `process.arch` → the libseccomp names profiles use in `includes.arches`. */
const NODE_TO_NATIVE: Record<string, string> = {
  ia32: 'x86',
  x64: 'amd64',
  arm: 'arm',
  arm64: 'arm64',
  loong64: 'loongarch64',
  mips: 'mips',
  mipsel: 'mipsel',
  ppc: 'ppc',
  ppc64: 'ppc64le',
  riscv64: 'riscv64',
  s390: 's390',
  s390x: 's390x',
};

const NATIVE_TO_SECCOMP: Record<string, string> = {
  x86: 'SCMP_ARCH_X86',
  amd64: 'SCMP_ARCH_X86_64',
  arm: 'SCMP_ARCH_ARM',
  arm64: 'SCMP_ARCH_AARCH64',
  loong64: 'SCMP_ARCH_LOONGARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mips3l64n32: 'SCMP_ARCH_MIPSEL64N32',
  mipsle: 'SCMP_ARCH_MIPSEL',
  ppc: 'SCMP_ARCH_PPC',
  ppc64: 'SCMP_ARCH_PPC64',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390: 'SCMP_ARCH_S390',
  s390x: 'SCMP_ARCH_S390X',
};

export interface SeccompHost {
  /** libseccomp's name of the native architecture (`amd64`, `arm64`, …). */
  arch: string;
  /** Kernel release, e.g. `6.1.0-18-amd64`. */
  kernel: string;
}

export function hostSeccompInfo(): SeccompHost {
  return { arch: NODE_TO_NATIVE[process.arch] ?? process.arch, kernel: os.release() };
}

/** Whether the kernel has seccomp filtering (`Seccomp:` appears in /proc/self/status). */
export function seccompSupported(): boolean {
  try {
    return /^Seccomp:/m.test(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return false;
  }
}

/** `a.b` of a kernel release compared with `minKernel` (`4.8`), as moby's `kernelGreaterEqualThan`. */
export function kernelAtLeast(release: string, minKernel: string): boolean {
  const want = /^(\d+)\.(\d+)$/.exec(minKernel);
  if (!want) throw new Error(`invalid kernel version: ${minKernel}, expected "<kernel>.<major>"`);
  const have = /^(\d+)\.(\d+)/.exec(release);
  if (!have) return false;
  const [hk, hm] = [Number(have[1]), Number(have[2])];
  const [wk, wm] = [Number(want[1]), Number(want[2])];
  return hk > wk || (hk === wk && hm >= wm);
}

/**
 * The runtime-spec seccomp section for a container whose bounding set is `bounding`
 * (moby/profiles `setupSeccomp`). `undefined` when the profile has neither a default action nor
 * rules (Docker then runs without a filter).
 */
export function resolveSeccomp(
  profile: DockerSeccompProfile,
  bounding: readonly string[],
  host: SeccompHost = hostSeccompInfo(),
): LinuxSeccomp | undefined {
  if (!profile.defaultAction && !profile.syscalls?.length) return undefined;
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new Error(
      "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'",
    );
  }
  const out: LinuxSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet != null) out.defaultErrnoRet = profile.defaultErrnoRet;
  const arches = [...(profile.architectures ?? [])];
  const native = NATIVE_TO_SECCOMP[host.arch];
  const mapped = profile.archMap?.find((a) => a.architecture === native);
  if (mapped) arches.push(mapped.architecture, ...(mapped.subArchitectures ?? []));
  if (arches.length) out.architectures = arches;
  if (profile.flags?.length) out.flags = [...profile.flags];
  const syscalls: LinuxSyscall[] = [];
  for (const call of profile.syscalls ?? []) {
    if (call.name && call.names?.length) {
      throw new Error(
        "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'",
      );
    }
    const names = call.name ? [call.name] : [...(call.names ?? [])];
    const ex = call.excludes;
    if (ex) {
      if (ex.arches?.includes(host.arch)) continue;
      if (ex.caps?.some((c) => bounding.includes(c))) continue;
      if (ex.minKernel && kernelAtLeast(host.kernel, ex.minKernel)) continue;
    }
    const inc = call.includes;
    if (inc) {
      if (inc.arches?.length && !inc.arches.includes(host.arch)) continue;
      if (inc.caps?.some((c) => !bounding.includes(c))) continue;
      if (inc.minKernel && !kernelAtLeast(host.kernel, inc.minKernel)) continue;
    }
    const rule: LinuxSyscall = { names, action: call.action };
    if (call.errnoRet != null) rule.errnoRet = call.errnoRet;
    if (call.args?.length) rule.args = call.args.map((a) => ({ ...a }));
    syscalls.push(rule);
  }
  if (syscalls.length) out.syscalls = syscalls;
  return out;
}

/** Applies `profile` for the capability set the spec has by now (so it goes after cap options). */
export function withDockerSeccomp(profile: DockerSeccompProfile): SpecOpt {
  return (spec) => {
    const bounding = spec.process?.capabilities?.bounding ?? [];
    const resolved = resolveSeccomp(profile, bounding);
    spec.linux ??= {};
    if (resolved) spec.linux.seccomp = resolved;
    else delete spec.linux.seccomp;
  };
}

/**
 * Reads a `--security-opt seccomp=<file>` profile as docker/cli does (the daemon gets the
 * file's compacted JSON, which `inspect` shows in `HostConfig.SecurityOpt`). Errors carry
 * docker/cli's words.
 */
export function readSeccompProfileFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`opening seccomp profile (${path}) failed: ${goFileError(path, err)}`);
  }
  try {
    JSON.parse(text);
  } catch (err) {
    throw new Error(
      `compacting json for seccomp profile (${path}) failed: ${jsonErrorText(err, text)}`,
    );
  }
  return compactJSON(text);
}

/**
 * Decodes a profile (compacted JSON) and checks every name runc would reject at start.
 * Messages start with dockerd's `Decoding seccomp profile failed:` for shape errors.
 */
export function parseSeccompProfile(json: string): DockerSeccompProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`Decoding seccomp profile failed: ${jsonErrorText(err, json)}`);
  }
  const bad = (what: string): never => {
    throw new Error(`Decoding seccomp profile failed: ${what}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    bad('the profile must be a JSON object');
  }
  const p = raw as Record<string, unknown>;
  const str = (v: unknown, where: string): string => {
    if (typeof v !== 'string') bad(`${where} must be a string`);
    return v as string;
  };
  const strList = (v: unknown, where: string): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      bad(`${where} must be a list of strings`);
    }
    return v as string[];
  };
  const uint = (v: unknown, where: string): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      bad(`${where} must be a non-negative integer`);
    }
    return v as number;
  };
  const action = (v: unknown, where: string): string => {
    const a = str(v, where);
    if (a !== '' && !ACTIONS.has(a))
      throw new Error(`invalid seccomp profile: unknown action ${JSON.stringify(a)} in ${where}`);
    return a;
  };
  const arch = (a: string, where: string): string => {
    if (!ARCHES.has(a)) {
      throw new Error(
        `invalid seccomp profile: unknown architecture ${JSON.stringify(a)} in ${where}`,
      );
    }
    return a;
  };
  const filter = (v: unknown, where: string): SeccompFilter | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) bad(`${where} must be an object`);
    const f = v as Record<string, unknown>;
    const minKernel =
      f.minKernel === undefined || f.minKernel === null
        ? undefined
        : str(f.minKernel, `${where}.minKernel`);
    if (minKernel !== undefined && !/^\d+\.\d+$/.test(minKernel)) {
      bad(`invalid kernel version: ${minKernel}, expected "<kernel>.<major>"`);
    }
    return {
      caps: strList(f.caps, `${where}.caps`),
      arches: strList(f.arches, `${where}.arches`),
      minKernel,
    };
  };

  const profile: DockerSeccompProfile = {
    defaultAction: p.defaultAction === undefined ? '' : action(p.defaultAction, 'defaultAction'),
  };
  const errno = uint(p.defaultErrnoRet, 'defaultErrnoRet');
  if (errno !== undefined) profile.defaultErrnoRet = errno;
  const arches = strList(p.architectures, 'architectures');
  if (arches) profile.architectures = arches.map((a) => arch(a, 'architectures'));
  if (p.archMap !== undefined && p.archMap !== null) {
    if (!Array.isArray(p.archMap)) bad('archMap must be a list');
    profile.archMap = (p.archMap as unknown[]).map((m, i) => {
      if (m === null || typeof m !== 'object') bad(`archMap[${i}] must be an object`);
      const e = m as Record<string, unknown>;
      return {
        architecture: arch(str(e.architecture, `archMap[${i}].architecture`), `archMap[${i}]`),
        subArchitectures:
          strList(e.subArchitectures, `archMap[${i}].subArchitectures`)?.map((a) =>
            arch(a, `archMap[${i}].subArchitectures`),
          ) ?? null,
      };
    });
  }
  const flags = strList(p.flags, 'flags');
  if (flags) {
    for (const f of flags) {
      if (!FLAGS.has(f))
        throw new Error(`invalid seccomp profile: unknown flag ${JSON.stringify(f)}`);
    }
    profile.flags = flags;
  }
  if (p.listenerPath !== undefined) profile.listenerPath = str(p.listenerPath, 'listenerPath');
  if (p.syscalls !== undefined && p.syscalls !== null) {
    if (!Array.isArray(p.syscalls)) bad('syscalls must be a list');
    profile.syscalls = (p.syscalls as unknown[]).map((s, i) => {
      const where = `syscalls[${i}]`;
      if (s === null || typeof s !== 'object' || Array.isArray(s))
        bad(`${where} must be an object`);
      const c = s as Record<string, unknown>;
      const call: DockerSyscall = { action: action(c.action, `${where}.action`) };
      if (call.action === '') throw new Error(`invalid seccomp profile: ${where} has no action`);
      if (c.name !== undefined && c.name !== '') call.name = str(c.name, `${where}.name`);
      const names = strList(c.names, `${where}.names`);
      if (names) call.names = names;
      if (!call.name && !names?.length)
        throw new Error(`invalid seccomp profile: ${where} names no system call`);
      const ret = uint(c.errnoRet, `${where}.errnoRet`);
      if (ret !== undefined) call.errnoRet = ret;
      if (c.args !== undefined && c.args !== null) {
        if (!Array.isArray(c.args)) bad(`${where}.args must be a list`);
        call.args = (c.args as unknown[]).map((a, j) => {
          const w = `${where}.args[${j}]`;
          if (a === null || typeof a !== 'object') bad(`${w} must be an object`);
          const r = a as Record<string, unknown>;
          const op = str(r.op, `${w}.op`);
          if (!OPERATORS.has(op))
            throw new Error(
              `invalid seccomp profile: unknown operator ${JSON.stringify(op)} in ${w}`,
            );
          const arg: LinuxSeccompArg = {
            index: uint(r.index, `${w}.index`) ?? 0,
            value: uint(r.value, `${w}.value`) ?? 0,
            op,
          };
          const two = uint(r.valueTwo, `${w}.valueTwo`);
          if (two !== undefined) arg.valueTwo = two;
          return arg;
        });
      }
      const inc = filter(c.includes, `${where}.includes`);
      if (inc) call.includes = inc;
      const exc = filter(c.excludes, `${where}.excludes`);
      if (exc) call.excludes = exc;
      return call;
    });
  }
  return profile;
}

/** Go's `json.Compact`: the same document without insignificant whitespace. */
export function compactJSON(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') {
      out += ch;
    }
  }
  return out;
}

function goFileError(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return `open ${path}: no such file or directory`;
    case 'EACCES':
      return `open ${path}: permission denied`;
    case 'EISDIR':
      return `read ${path}: is a directory`;
    case 'ENOTDIR':
      return `open ${path}: not a directory`;
    default:
      return `open ${path}: ${(err as Error).message}`;
  }
}

function jsonErrorText(err: unknown, text: string): string {
  if (text.trim() === '') return 'unexpected end of JSON input';
  return (err as Error).message;
}
