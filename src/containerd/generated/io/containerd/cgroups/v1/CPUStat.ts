// Original file: proto/github.com/containerd/cgroups/stats/v1/metrics.proto

import type { CPUUsage as _io_containerd_cgroups_v1_CPUUsage, CPUUsage__Output as _io_containerd_cgroups_v1_CPUUsage__Output } from '../../../../io/containerd/cgroups/v1/CPUUsage.js';

export interface CPUStat {
  'usage'?: (_io_containerd_cgroups_v1_CPUUsage | null);
}

export interface CPUStat__Output {
  'usage': (_io_containerd_cgroups_v1_CPUUsage__Output | null);
}
