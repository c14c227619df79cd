#!/usr/bin/env node
// The floor as a plain Node program: modules loaded, descriptors parsed and the container run,
// all in this process (see floor.mjs).
//
// Usage: run-floor.mjs SOCKET NAMESPACE SNAPSHOTTER CHAIN_ID SPEC_JSON_FILE
// Env:   FLOOR_LEASE=0    no lease (see floor.mjs)
//        FLOOR_MARKS=1    performance.now() marks on stderr
//        FLOOR_PROTO_DIR  where the descriptors are (default: <repo>/dist/proto)
// Exits with the container's exit status (125 if containerd failed).
import { marks, prepare, run } from './floor.mjs';

const { mark, print } = marks();
mark('imports');
const services = prepare({
  protoDir: process.env.FLOOR_PROTO_DIR,
  leases: process.env.FLOOR_LEASE !== '0',
});
mark('descriptors');
process.exitCode = await run(services, process.argv.slice(2), mark);
print();
