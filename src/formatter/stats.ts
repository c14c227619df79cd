/** `stats` rows and headers, as docker/cli's formatter stats context prints them. */
import { truncateId } from './text.js';
import { bytesSize, humanSizeWithPrecision } from './units.js';

export const STATS_DEFAULT_FORMAT =
  'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

export const STATS_HEADERS: Readonly<Record<string, string>> = {
  Container: 'CONTAINER',
  ID: 'CONTAINER ID',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

/** One row of the table, with docker/cli's field names (what `--format` templates see). */
export interface StatsRow {
  BlockIO: string;
  CPUPerc: string;
  Container: string;
  ID: string;
  MemPerc: string;
  MemUsage: string;
  Name: string;
  NetIO: string;
  PIDs: string;
}

/** docker/cli's StatsEntry: one container's figures, computed by the verb. */
export interface StatsEntry {
  /** The user's argument (or the short ID when listing all). */
  ref: string;
  id: string;
  name: string;
  cpuPercentage: number;
  memUsage: number;
  memLimit: number;
  memPercentage: number;
  blkRead: number;
  blkWrite: number;
  netRx: number;
  netTx: number;
  pids: number;
}

const pct = (v: number): string => `${v.toFixed(2)}%`;

/** The row Docker prints for one entry. */
export function statsRowOf(e: StatsEntry, noTrunc: boolean): StatsRow {
  return {
    BlockIO: `${humanSizeWithPrecision(e.blkRead, 3)} / ${humanSizeWithPrecision(e.blkWrite, 3)}`,
    CPUPerc: pct(e.cpuPercentage),
    Container: e.ref,
    ID: truncateId(e.id, noTrunc),
    MemPerc: pct(e.memPercentage),
    MemUsage: `${bytesSize(e.memUsage)} / ${bytesSize(e.memLimit)}`,
    Name: e.name,
    NetIO: `${humanSizeWithPrecision(e.netRx, 3)} / ${humanSizeWithPrecision(e.netTx, 3)}`,
    PIDs: String(e.pids),
  };
}
