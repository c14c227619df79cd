/** `volume ls` rows and headers, as docker/cli's formatter volume context prints them. */

/** What a row shows of one local volume. */
export interface VolumeFields {
  name: string;
  mountpoint: string;
  labels: Record<string, string>;
}

function labelsText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** A `volume ls` row: docker/cli's volumeContext (fields, and `{{.Label "k"}}`). */
export class VolumeRow {
  readonly Availability = 'N/A';
  readonly Driver = 'local';
  readonly Group = 'N/A';
  readonly Labels: string;
  readonly Links = 'N/A';
  readonly Mountpoint: string;
  readonly Name: string;
  readonly Scope = 'local';
  readonly Size = 'N/A';
  readonly Status = 'N/A';

  readonly #labels: Record<string, string>;

  constructor(volume: VolumeFields) {
    this.#labels = volume.labels;
    this.Labels = labelsText(volume.labels);
    this.Mountpoint = volume.mountpoint;
    this.Name = volume.name;
  }

  Label(name: string): string {
    return this.#labels[name] ?? '';
  }
}

export const VOLUME_LS_TABLE = 'table {{.Driver}}\t{{.Name}}';
export const VOLUME_LS_HEADERS = {
  Availability: 'AVAILABILITY',
  Driver: 'DRIVER',
  Group: 'GROUP',
  Labels: 'LABELS',
  Links: 'LINKS',
  Mountpoint: 'MOUNTPOINT',
  Name: 'VOLUME NAME',
  Scope: 'SCOPE',
  Size: 'SIZE',
  Status: 'STATUS',
} as const;
