// Original file: proto/github.com/containerd/cgroups/stats/v1/metrics.proto

import type { PidsStat as _io_containerd_cgroups_v1_PidsStat, PidsStat__Output as _io_containerd_cgroups_v1_PidsStat__Output } from '../../../../io/containerd/cgroups/v1/PidsStat.js';
import type { CPUStat as _io_containerd_cgroups_v1_CPUStat, CPUStat__Output as _io_containerd_cgroups_v1_CPUStat__Output } from '../../../../io/containerd/cgroups/v1/CPUStat.js';
import type { MemoryStat as _io_containerd_cgroups_v1_MemoryStat, MemoryStat__Output as _io_containerd_cgroups_v1_MemoryStat__Output } from '../../../../io/containerd/cgroups/v1/MemoryStat.js';
import type { BlkIOStat as _io_containerd_cgroups_v1_BlkIOStat, BlkIOStat__Output as _io_containerd_cgroups_v1_BlkIOStat__Output } from '../../../../io/containerd/cgroups/v1/BlkIOStat.js';

export interface Metrics {
  'pids'?: (_io_containerd_cgroups_v1_PidsStat | null);
  'cpu'?: (_io_containerd_cgroups_v1_CPUStat | null);
  'memory'?: (_io_containerd_cgroups_v1_MemoryStat | null);
  'blkio'?: (_io_containerd_cgroups_v1_BlkIOStat | null);
}

export interface Metrics__Output {
  'pids': (_io_containerd_cgroups_v1_PidsStat__Output | null);
  'cpu': (_io_containerd_cgroups_v1_CPUStat__Output | null);
  'memory': (_io_containerd_cgroups_v1_MemoryStat__Output | null);
  'blkio': (_io_containerd_cgroups_v1_BlkIOStat__Output | null);
}
