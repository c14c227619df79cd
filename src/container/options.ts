/**
 * What a container is created with, in parsed values. `run`/`create` build it once at the flag
 * edge (src/flags/container-create.ts); compose and build construct it directly, starting from
 * `createOptions(image, args)`. Nothing in it says which command asked.
 */
import type { HealthConfig } from '../health/config.js';
import type { MountRequest } from '../oci/mounts.js';
import type { Ulimit } from '../oci/opts.js';
import type {
  ExtraHost,
  PortMapping,
  RestartPolicy,
  SecurityOpt,
} from '../opts/container-parsers.js';

export type PullPolicy = 'always' | 'missing' | 'never';
export const PULL_POLICIES: readonly PullPolicy[] = ['always', 'missing', 'never'];

export interface ContainerCreateOptions {
  /** The image as the user wrote it (shown by ps, stored in berth/image). */
  image: string;
  /** COMMAND and ARGs after the image. */
  args: string[];
  /** Validated by createContainer (a daemon error, as in Docker); random when absent. */
  name?: string;
  pull: PullPolicy;
  platform?: string;
  interactive: boolean;
  tty: boolean;
  /** `--rm`: removed (with its anonymous volumes) once it exits. */
  autoRemove: boolean;
  /** KEY=VALUE (or bare KEY) entries: env files' first, then `-e`, in order. */
  env: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  hostname?: string;
  /** The user's labels (label files', then `--label`). */
  labels: Record<string, string>;
  /** `-v`, `--mount` and `--tmpfs`, in that order. */
  mounts: MountRequest[];
  /** `--volumes-from` references (container[:ro|rw]), resolved at create. */
  volumesFrom: string[];
  readOnly: boolean;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  securityOpts: SecurityOpt[];
  cpus?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  /** Bytes. */
  memory?: number;
  /** Bytes; -1 unlimited. */
  memorySwap?: number;
  pidsLimit?: number;
  ulimits: Ulimit[];
  /** Bytes. */
  shmSize?: number;
  init: boolean;
  /** A signal name or number that parses (else the image's StopSignal applies). */
  stopSignal?: string;
  /** Seconds. */
  stopTimeout?: number;
  restart: RestartPolicy;
  cidfile?: string;
  extraHosts: ExtraHost[];
  /** bridge (default), host, none, container:<x> or user networks. */
  networks: string[];
  ports: PortMapping[];
  /** `-P`: every EXPOSEd port on a random host port. */
  publishAll: boolean;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  ip?: string;
  macAddress?: string;
  /** Extra names other members of its user networks resolve to it (compose: service, aliases). */
  networkAliases?: string[];
  /** Names on one of its networks only, by network name (compose's per-network aliases). */
  aliasesByNetwork?: Record<string, string[]>;
  /** --health-* (or compose's healthcheck), merged over the image's HEALTHCHECK at create. */
  healthcheck?: HealthConfig;
}

/** Docker's defaults for everything but the image and command. */
export function createOptions(image: string, args: string[] = []): ContainerCreateOptions {
  return {
    image,
    args,
    pull: 'missing',
    interactive: false,
    tty: false,
    autoRemove: false,
    env: [],
    labels: {},
    mounts: [],
    volumesFrom: [],
    readOnly: false,
    privileged: false,
    capAdd: [],
    capDrop: [],
    securityOpts: [],
    ulimits: [],
    init: false,
    restart: { name: 'no', maximumRetryCount: 0 },
    extraHosts: [],
    networks: [],
    ports: [],
    publishAll: false,
    dns: [],
    dnsSearch: [],
    dnsOptions: [],
  };
}
