/**
 * `--security-opt` and `--privileged` as spec options, in dockerd's order: they go after the
 * capability options, because which seccomp rules apply depends on the bounding set. Nothing is
 * dropped silently: an option this host cannot honour is refused with one line.
 */
import { existsSync, readFileSync } from 'node:fs';

import {
  withApparmorProfile,
  withNoNewPrivileges,
  withUnconfinedSystemPaths,
  type SpecOpt,
} from './opts.js';
import { parseSeccompProfile, seccompSupported, withDockerSeccomp } from './seccomp.js';
import { DEFAULT_SECCOMP_PROFILE } from './seccomp-default.js';

export interface SecurityOptions {
  privileged: boolean;
  /** `unconfined`, `builtin`, or a profile's JSON (docker/cli sends the file's content). */
  seccomp?: string;
  apparmor?: string;
  /** `label=` values: `disable`, `user:…`, `role:…`, `type:…`, `level:…`. */
  labels: readonly string[];
  noNewPrivileges: boolean;
  systemPathsUnconfined: boolean;
}

export interface SecurityHost {
  seccomp: boolean;
  apparmor: boolean;
  selinux: boolean;
}

export function probeSecurityHost(): SecurityHost {
  let apparmor = false;
  try {
    apparmor = readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    apparmor = false;
  }
  return { seccomp: seccompSupported(), apparmor, selinux: existsSync('/sys/fs/selinux/enforce') };
}

/** Spec options for `o`; throws an `Error` whose message is the one line to show. */
export function securitySpecOpts(
  o: SecurityOptions,
  host: SecurityHost = probeSecurityHost(),
): SpecOpt[] {
  const opts: SpecOpt[] = [withNoNewPrivileges(o.noNewPrivileges)];
  if (o.systemPathsUnconfined) opts.push(withUnconfinedSystemPaths());

  if (o.apparmor !== undefined && o.apparmor !== 'unconfined') {
    if (!host.apparmor) {
      throw new Error(
        `apparmor=${o.apparmor}: AppArmor is not enabled on this host (use apparmor=unconfined or leave the option out)`,
      );
    }
    const loaded = apparmorLoaded(o.apparmor);
    if (loaded === false) {
      throw new Error(`apparmor=${o.apparmor}: no AppArmor profile of that name is loaded`);
    }
  }
  if (o.apparmor !== undefined && host.apparmor) opts.push(withApparmorProfile(o.apparmor));

  for (const l of o.labels) {
    if (l === 'disable') continue; // berth applies no SELinux label, so there is nothing to turn off
    throw new Error(
      host.selinux
        ? `label=${l}: SELinux process labels are not supported by berth (only label=disable is)`
        : `label=${l}: SELinux is not enabled on this host (only label=disable is accepted)`,
    );
  }

  const seccomp = o.seccomp;
  if (seccomp === 'unconfined') return opts;
  if (o.privileged && (seccomp === undefined || seccomp === 'builtin')) return opts;
  if (!host.seccomp) {
    if (seccomp !== undefined && seccomp !== 'builtin') {
      throw new Error('seccomp is not enabled in your kernel, cannot run a custom seccomp profile');
    }
    return opts; // dockerd warns and runs without the default profile
  }
  const profile =
    seccomp === undefined || seccomp === 'builtin'
      ? DEFAULT_SECCOMP_PROFILE
      : parseSeccompProfile(seccomp);
  opts.push(withDockerSeccomp(profile));
  return opts;
}

/** Whether AppArmor has `name` loaded; `undefined` when the list cannot be read. */
function apparmorLoaded(name: string): boolean | undefined {
  try {
    const list = readFileSync('/sys/kernel/security/apparmor/profiles', 'utf8');
    return list.split('\n').some((line) => line.replace(/ \([a-z]+\)$/, '') === name);
  } catch {
    return undefined;
  }
}
