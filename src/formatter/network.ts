/** `network ls` rows and headers, as docker/cli's formatter network context prints them. */
import { goTimeString } from './gofmt.js';
import { truncateId } from './text.js';

export interface NetworkRow {
  ID: string;
  Name: string;
  Driver: string;
  Scope: string;
  IPv6: string;
  Internal: string;
  Labels: string;
  CreatedAt: string;
}

/** What a row shows of one network. */
export interface NetworkFields {
  id: string;
  name: string;
  driver: string;
  internal: boolean;
  labels: Record<string, string>;
  /** RFC 3339, '' when unknown. */
  created: string;
}

export function networkRow(n: NetworkFields, noTrunc: boolean): NetworkRow {
  return {
    ID: truncateId(n.id, noTrunc),
    Name: n.name,
    Driver: n.driver,
    Scope: 'local',
    IPv6: 'false',
    Internal: String(n.internal),
    Labels: Object.entries(n.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    // Go's time.Time String(), as docker/cli prints the network's Created (zero time if unknown).
    CreatedAt: goTimeString(new Date(n.created || NaN)),
  };
}

export const NETWORK_LS_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
export const NETWORK_LS_HEADERS: Readonly<Record<string, string>> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};
