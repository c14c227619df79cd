// Original file: proto/k8s.io/cri-api/pkg/apis/runtime/v1/api.proto


export interface PullImageResponse {
  'image_ref'?: (string);
}

export interface PullImageResponse__Output {
  'image_ref': (string);
}
