/**
 * The normalised Compose project: every short form expanded to its long form, paths absolute,
 * variables interpolated, env_file folded into environment. Field names are the Compose file's,
 * so the object prints as `compose config` shows it.
 */

export interface PortConfig {
  name?: string;
  mode: 'ingress' | 'host';
  host_ip?: string;
  target: number;
  /** A port or a range (`8000-8010`); absent when the host port is chosen by the system. */
  published?: string;
  protocol: 'tcp' | 'udp' | 'sctp';
  app_protocol?: string;
}

export interface ServiceVolumeConfig {
  type: 'volume' | 'bind' | 'tmpfs';
  source?: string;
  target: string;
  read_only?: boolean;
  bind?: { create_host_path?: boolean; propagation?: string; selinux?: string };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size?: number; mode?: number };
  consistency?: string;
}

export interface DependsOnConfig {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  required: boolean;
  restart?: boolean;
}

export interface HealthcheckConfig {
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface BuildConfig {
  context: string;
  dockerfile?: string;
  dockerfile_inline?: string;
  args?: Record<string, string | null>;
  target?: string;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

export interface ServiceNetworkConfig {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  priority?: number;
  [key: string]: unknown;
}

export interface FileReference {
  source: string;
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

export interface UlimitConfig {
  soft: number;
  hard: number;
}

export interface ServiceConfig {
  /** The service's key in `services:`; not printed. */
  name: string;
  build?: BuildConfig;
  cap_add?: string[];
  cap_drop?: string[];
  command?: string[] | null;
  configs?: FileReference[];
  container_name?: string;
  cpus?: number;
  depends_on?: Record<string, DependsOnConfig>;
  deploy?: Record<string, unknown>;
  dns?: string[];
  entrypoint?: string[] | null;
  environment?: Record<string, string | null>;
  expose?: string[];
  extra_hosts?: string[];
  healthcheck?: HealthcheckConfig;
  hostname?: string;
  image?: string;
  init?: boolean;
  labels?: Record<string, string>;
  logging?: { driver?: string; options?: Record<string, string> };
  mem_limit?: number;
  networks?: Record<string, ServiceNetworkConfig | null>;
  network_mode?: string;
  ports?: PortConfig[];
  privileged?: boolean;
  profiles?: string[];
  pull_policy?: string;
  read_only?: boolean;
  restart?: string;
  scale?: number;
  secrets?: FileReference[];
  stop_grace_period?: string;
  stop_signal?: string;
  stdin_open?: boolean;
  tmpfs?: string[];
  tty?: boolean;
  ulimits?: Record<string, UlimitConfig | number>;
  user?: string;
  volumes?: ServiceVolumeConfig[];
  working_dir?: string;
  /** Keys berth reads but does not act on, reported once as a warning. */
  [key: string]: unknown;
}

export interface NetworkConfig {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  ipam?: { driver?: string; config?: { subnet?: string; gateway?: string; ip_range?: string }[] };
  external?: boolean;
  internal?: boolean;
  attachable?: boolean;
  enable_ipv6?: boolean;
  labels?: Record<string, string>;
}

export interface VolumeConfig {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  labels?: Record<string, string>;
}

export interface FileObjectConfig {
  name: string;
  file?: string;
  environment?: string;
  content?: string;
  external?: boolean;
}

export interface ComposeProject {
  name: string;
  workingDir: string;
  configFiles: string[];
  /** Variables used for interpolation (.env and the process environment). */
  environment: Record<string, string>;
  services: Record<string, ServiceConfig>;
  /** Services left out by profiles, still known to `--profile`-less commands that name them. */
  disabledServices: Record<string, ServiceConfig>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  configs: Record<string, FileObjectConfig>;
  secrets: Record<string, FileObjectConfig>;
  profiles: string[];
  /** Warnings met while loading (unset variables), printed once by the command. */
  warnings: string[];
}
