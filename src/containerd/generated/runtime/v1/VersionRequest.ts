// Original file: proto/k8s.io/cri-api/pkg/apis/runtime/v1/api.proto


export interface VersionRequest {
  'version'?: (string);
}

export interface VersionRequest__Output {
  'version': (string);
}
