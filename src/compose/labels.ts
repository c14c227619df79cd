/**
 * Docker Compose v2's names and labels: containers `<project>-<service>-<n>`, networks and
 * volumes `<project>_<name>`, the `com.docker.compose.*` labels by which every verb finds a
 * project's containers again, and the config hash that tells `up` whether a service changed.
 */
import { createHash } from 'node:crypto';
import type { ComposeProject, ServiceConfig } from './model.js';
import { serviceForOutput } from './render.js';

export const COMPOSE_LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  configFiles: 'com.docker.compose.project.config_files',
  workingDir: 'com.docker.compose.project.working_dir',
  environmentFile: 'com.docker.compose.project.environment_file',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  version: 'com.docker.compose.version',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  replace: 'com.docker.compose.replace',
} as const;

/** The compose version berth writes in labels (the Compose v2 release whose behaviour it follows). */
export const COMPOSE_VERSION = '2.29.7';

export function containerNameFor(project: string, service: ServiceConfig, n: number): string {
  return service.container_name ?? `${project}-${service.name}-${n}`;
}

export function oneoffNameFor(project: string, service: string, suffix: string): string {
  return `${project}-${service}-run-${suffix}`;
}

/**
 * The hash of what the container is made from: the normalised service without the keys that do
 * not change a container (scale, build, pull policy), as Compose's ServiceHash does.
 */
export function configHash(service: ServiceConfig): string {
  const o = serviceForOutput(service);
  for (const k of ['build', 'pull_policy', 'scale', 'deploy']) delete o[k];
  return createHash('sha256').update(JSON.stringify(o)).digest('hex');
}

/** `db:service_healthy:false,cache:service_started:true` as Compose writes depends_on. */
export function dependsOnLabel(service: ServiceConfig): string {
  return Object.entries(service.depends_on ?? {})
    .map(([n, d]) => `${n}:${d.condition}:${d.restart === true}`)
    .join(',');
}

/**
 * Compose's labels of container `n`. `imageId` is the service image's ID when it is known before
 * the container is made (Compose writes it as com.docker.compose.image and recreates a container
 * whose image has changed, a rebuild for instance).
 */
export function serviceLabels(
  project: ComposeProject,
  service: ServiceConfig,
  n: number,
  oneoff = false,
  imageId = '',
): Record<string, string> {
  return {
    ...(service.labels ?? {}),
    [COMPOSE_LABEL.project]: project.name,
    [COMPOSE_LABEL.service]: service.name,
    [COMPOSE_LABEL.number]: String(n),
    [COMPOSE_LABEL.oneoff]: oneoff ? 'True' : 'False',
    [COMPOSE_LABEL.configHash]: configHash(service),
    [COMPOSE_LABEL.configFiles]: project.configFiles.join(','),
    [COMPOSE_LABEL.workingDir]: project.workingDir,
    [COMPOSE_LABEL.dependsOn]: dependsOnLabel(service),
    [COMPOSE_LABEL.image]: imageId,
    [COMPOSE_LABEL.version]: COMPOSE_VERSION,
  };
}
