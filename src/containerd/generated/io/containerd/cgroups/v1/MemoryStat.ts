// Original file: proto/github.com/containerd/cgroups/stats/v1/metrics.proto

import type { MemoryEntry as _io_containerd_cgroups_v1_MemoryEntry, MemoryEntry__Output as _io_containerd_cgroups_v1_MemoryEntry__Output } from '../../../../io/containerd/cgroups/v1/MemoryEntry.js';
import type { Long } from '@grpc/proto-loader';

export interface MemoryStat {
  'cache'?: (number | string | Long);
  'rss'?: (number | string | Long);
  'inactive_file'?: (number | string | Long);
  'total_inactive_file'?: (number | string | Long);
  'usage'?: (_io_containerd_cgroups_v1_MemoryEntry | null);
}

export interface MemoryStat__Output {
  'cache': (string);
  'rss': (string);
  'inactive_file': (string);
  'total_inactive_file': (string);
  'usage': (_io_containerd_cgroups_v1_MemoryEntry__Output | null);
}
