// Original file: proto/github.com/containerd/cgroups/v2/stats/metrics.proto

import type { Long } from '@grpc/proto-loader';

export interface MemoryStat {
  'inactive_file'?: (number | string | Long);
  'usage'?: (number | string | Long);
  'usage_limit'?: (number | string | Long);
}

export interface MemoryStat__Output {
  'inactive_file': (string);
  'usage': (string);
  'usage_limit': (string);
}
