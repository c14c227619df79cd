// Original file: proto/k8s.io/cri-api/pkg/apis/runtime/v1/api.proto


export interface GetEventsRequest {
}

export interface GetEventsRequest__Output {
}
