// Types for scripts/build-proto.mjs so TypeScript tests can import it.
import type protobuf from 'protobufjs';

export const ROOT_DIR: string;
export const PROTO_DIR: string;
export const SERVICES: Record<string, string[]>;
export function allProtoFiles(protoDir?: string): string[];
export function loadRoot(files: string | string[], protoDir?: string): protobuf.Root;
export function serviceDescriptor(service: string, protoDir?: string): protobuf.INamespace;
export function buildProto(options?: {
  outDir?: string;
  types?: boolean;
  protoDir?: string;
}): string[];
export function generateTypes(protoDir?: string, outDir?: string): void;
