// Original file: proto/github.com/containerd/cgroups/stats/v1/metrics.proto

import type { BlkIOEntry as _io_containerd_cgroups_v1_BlkIOEntry, BlkIOEntry__Output as _io_containerd_cgroups_v1_BlkIOEntry__Output } from '../../../../io/containerd/cgroups/v1/BlkIOEntry.js';

export interface BlkIOStat {
  'io_service_bytes_recursive'?: (_io_containerd_cgroups_v1_BlkIOEntry)[];
}

export interface BlkIOStat__Output {
  'io_service_bytes_recursive': (_io_containerd_cgroups_v1_BlkIOEntry__Output)[];
}
