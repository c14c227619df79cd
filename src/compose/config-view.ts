/** `compose config`: the normalised project, or parts of it. */
import { projectForOutput, renderYaml } from './render.js';
import type { ComposeProject } from './model.js';
import { ComposeError } from './errors.js';

export interface ConfigOptions {
  quiet: boolean;
  services: boolean;
  volumes: boolean;
  profiles: boolean;
  images: boolean;
  format?: string;
}

export function renderConfig(project: ComposeProject, o: ConfigOptions): string {
  if (o.quiet) return '';
  const lines = (xs: string[]): string => xs.map((x) => `${x}\n`).join('');
  if (o.services) return lines(Object.keys(project.services).sort());
  if (o.volumes) return lines(Object.keys(project.volumes).sort());
  if (o.profiles) {
    const all = new Set<string>();
    for (const s of [
      ...Object.values(project.services),
      ...Object.values(project.disabledServices),
    ]) {
      for (const p of s.profiles ?? []) all.add(p);
    }
    return lines([...all].sort());
  }
  if (o.images) {
    return lines(
      Object.values(project.services)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((s) => s.image ?? `${project.name}-${s.name}`),
    );
  }
  const out = projectForOutput(project);
  if (o.format === 'json') return `${JSON.stringify(out, null, 4)}\n`;
  if (o.format !== undefined && o.format !== 'yaml')
    throw new ComposeError(`unsupported format "${o.format}"`);
  return renderYaml(out);
}
