// Original file: proto/github.com/containerd/cgroups/v2/stats/metrics.proto

import type { PidsStat as _io_containerd_cgroups_v2_PidsStat, PidsStat__Output as _io_containerd_cgroups_v2_PidsStat__Output } from '../../../../io/containerd/cgroups/v2/PidsStat.js';
import type { CPUStat as _io_containerd_cgroups_v2_CPUStat, CPUStat__Output as _io_containerd_cgroups_v2_CPUStat__Output } from '../../../../io/containerd/cgroups/v2/CPUStat.js';
import type { MemoryStat as _io_containerd_cgroups_v2_MemoryStat, MemoryStat__Output as _io_containerd_cgroups_v2_MemoryStat__Output } from '../../../../io/containerd/cgroups/v2/MemoryStat.js';
import type { IOStat as _io_containerd_cgroups_v2_IOStat, IOStat__Output as _io_containerd_cgroups_v2_IOStat__Output } from '../../../../io/containerd/cgroups/v2/IOStat.js';

export interface Metrics {
  'pids'?: (_io_containerd_cgroups_v2_PidsStat | null);
  'cpu'?: (_io_containerd_cgroups_v2_CPUStat | null);
  'memory'?: (_io_containerd_cgroups_v2_MemoryStat | null);
  'io'?: (_io_containerd_cgroups_v2_IOStat | null);
}

export interface Metrics__Output {
  'pids': (_io_containerd_cgroups_v2_PidsStat__Output | null);
  'cpu': (_io_containerd_cgroups_v2_CPUStat__Output | null);
  'memory': (_io_containerd_cgroups_v2_MemoryStat__Output | null);
  'io': (_io_containerd_cgroups_v2_IOStat__Output | null);
}
