/**
 * `compose config`: the normalised project as YAML, keys in compose-go's field order so the output
 * reads as Docker Compose prints it.
 */
import { stringify } from 'yaml';
import type { ComposeProject, ServiceConfig } from './model.js';

const SERVICE_ORDER =
  'profiles annotations attach build develop blkio_config cap_add cap_drop cgroup_parent cgroup cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpus cpuset cpu_shares command configs container_name credential_spec depends_on deploy device_cgroup_rules devices dns dns_opt dns_search dockerfile domainname entrypoint provider environment env_file expose extends external_links extra_hosts group_add gpus hostname healthcheck image init ipc isolation labels label_file links logging log_driver log_opt mem_limit mem_reservation memswap_limit mem_swappiness mac_address models net network_mode networks oom_kill_disable oom_score_adj pid pids_limit platform ports privileged pull_policy read_only restart runtime scale secrets security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt sysctls tmpfs tty ulimits use_api_socket user userns_mode uts volume_driver volumes volumes_from working_dir pre_start post_start pre_stop'.split(
    ' ',
  );
const ORDERS: Record<string, string[]> = {
  healthcheck: 'test timeout interval retries start_period start_interval disable'.split(' '),
  build:
    'context dockerfile dockerfile_inline entitlements args provenance sbom ssh labels cache_from cache_to no_cache no_cache_filter additional_contexts pull extra_hosts isolation network target secrets shm_size tags ulimits platforms privileged'.split(
      ' ',
    ),
  volume: 'type source target read_only consistency bind volume tmpfs image'.split(' '),
  network:
    'name driver driver_opts ipam external internal attachable labels enable_ipv4 enable_ipv6'.split(
      ' ',
    ),
  topVolume: 'name driver driver_opts external labels'.split(' '),
  dependency: 'condition restart required'.split(' '),
  serviceNetwork:
    'aliases driver_opts gw_priority interface_name ipv4_address ipv6_address link_local_ips mac_address priority'.split(
      ' ',
    ),
};

type Obj = Record<string, unknown>;

function ordered(o: Obj, order: string[]): Obj {
  const out: Obj = {};
  for (const k of order) if (o[k] !== undefined) out[k] = o[k];
  for (const k of Object.keys(o).sort()) if (!(k in out) && o[k] !== undefined) out[k] = o[k];
  return out;
}

function sortedMap<T>(o: Record<string, T>, fn: (v: T) => unknown = (v) => v): Obj {
  const out: Obj = {};
  for (const k of Object.keys(o).sort()) out[k] = fn(o[k]);
  return out;
}

/** A service as `config` prints it (also what its config hash is computed from). */
export function serviceForOutput(s: ServiceConfig): Obj {
  const { name: _name, ...rest } = s;
  void _name;
  const o: Obj = { ...rest };
  if (s.build) o.build = ordered(s.build, ORDERS.build);
  if (s.healthcheck) o.healthcheck = ordered(s.healthcheck as Obj, ORDERS.healthcheck);
  if (s.volumes) o.volumes = s.volumes.map((v) => ordered(v as unknown as Obj, ORDERS.volume));
  if (s.depends_on)
    o.depends_on = sortedMap(s.depends_on, (d) => ordered(d as unknown as Obj, ORDERS.dependency));
  if (s.networks)
    o.networks = sortedMap(s.networks, (n) => (n ? ordered(n, ORDERS.serviceNetwork) : null));
  if (s.environment) o.environment = sortedMap(s.environment);
  if (s.labels) o.labels = sortedMap(s.labels);
  // Byte sizes are printed as strings, as compose-go's UnitBytes marshals them.
  if (s.mem_limit !== undefined) o.mem_limit = String(s.mem_limit);
  return ordered(o, SERVICE_ORDER);
}

export function projectForOutput(p: ComposeProject): Obj {
  const out: Obj = { name: p.name, services: sortedMap(p.services, serviceForOutput) };
  if (Object.keys(p.networks).length > 0)
    out.networks = sortedMap(p.networks, (n) => ordered(n as unknown as Obj, ORDERS.network));
  if (Object.keys(p.volumes).length > 0)
    out.volumes = sortedMap(p.volumes, (v) => ordered(v as unknown as Obj, ORDERS.topVolume));
  if (Object.keys(p.secrets).length > 0) out.secrets = sortedMap(p.secrets);
  if (Object.keys(p.configs).length > 0) out.configs = sortedMap(p.configs);
  return out;
}

export function renderYaml(value: unknown): string {
  return stringify(value, {
    lineWidth: 0,
    indentSeq: true,
    nullStr: 'null',
    aliasDuplicateObjects: false,
  });
}
