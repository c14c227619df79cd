// The floor started from a V8 start-up snapshot, as berth starts from dist/berth.blob:
// bench/floor.sh bundles this file (bundle.mjs) and runs the bundle once under
// `node --build-snapshot`, which loads the modules, parses the descriptors and compiles the
// codecs (prepare(), compileCodecs()) and saves the heap. Each `node --snapshot-blob BLOB -- ARGS`
// then runs only the main function below: the container run itself, with the same arguments,
// environment and exit status as run-floor.mjs.
import v8 from 'node:v8';
import { compileCodecs, marks, prepare, run } from './floor.mjs';

if (!v8.startupSnapshot.isBuildingSnapshot()) {
  throw new Error('snapshot.mjs is a snapshot entry: bundle it and run node --build-snapshot');
}
// FLOOR_PROTO_DIR is read here, at build time: the descriptors are in the blob.
const services = prepare({ protoDir: process.env.FLOOR_PROTO_DIR });
compileCodecs(services);

v8.startupSnapshot.setDeserializeMainFunction(async () => {
  const { mark, print } = marks();
  mark('main');
  // A process started from a snapshot has no script in its argv: the arguments start at [1].
  process.exitCode = await run(services, process.argv.slice(1), mark);
  print();
});
