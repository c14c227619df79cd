// Original file: proto/k8s.io/cri-api/pkg/apis/runtime/v1/api.proto


export interface ListPodSandboxMetricsRequest {
}

export interface ListPodSandboxMetricsRequest__Output {
}
