// Original file: proto/k8s.io/cri-api/pkg/apis/runtime/v1/api.proto


export interface StreamPodSandboxMetricsRequest {
}

export interface StreamPodSandboxMetricsRequest__Output {
}
