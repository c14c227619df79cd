// Original file: proto/k8s.io/cri-api/pkg/apis/runtime/v1/api.proto


export interface AttachResponse {
  'url'?: (string);
}

export interface AttachResponse__Output {
  'url': (string);
}
