/**
 * berth writes its own proto/ files; the wire contract must still be
 * containerd's. This compares every message, enum and method berth declares
 * with containerd's published definitions (Debian's
 * golang-github-containerd-containerd-dev), and checks that the JSON
 * descriptors the CLI loads at run time say the same as proto/.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import {
  allProtoFiles,
  loadRoot,
  PROTO_DIR,
  SERVICES,
  serviceDescriptor,
} from '../../../scripts/build-proto.mjs';

const REF_SRC = process.env['CONTAINERD_API_REF'] ?? '/usr/share/gocode/src';
const API = 'github.com/containerd/containerd/api';

function walk(
  ns: protobuf.NamespaceBase,
  out: protobuf.ReflectionObject[] = [],
): protobuf.ReflectionObject[] {
  for (const obj of ns.nestedArray) {
    out.push(obj);
    if (
      obj instanceof protobuf.Namespace ||
      obj instanceof protobuf.Type ||
      obj instanceof protobuf.Service
    ) {
      walk(obj, out);
    }
  }
  return out;
}

const bare = (name: string): string => name.replace(/^\./, '');

/** A field's type as a comparable string: scalars by name, messages/enums by full name. */
function fieldShape(f: protobuf.Field): Record<string, unknown> {
  f.resolve();
  const type = f.resolvedType ? bare(f.resolvedType.fullName) : f.type;
  const keyType = f instanceof protobuf.MapField ? f.keyType : undefined;
  return { id: f.id, type, repeated: f.repeated, map: f.map, keyType };
}

/** Asserts every type/enum/method of `ours` exists with the same shape in `theirs`. */
function assertConforms(ours: protobuf.Root, theirs: protobuf.Root, label: string): number {
  let checked = 0;
  for (const obj of walk(ours)) {
    const name = bare(obj.fullName);
    if (name.startsWith('google.protobuf.')) continue; // bundled well-known types
    if (obj instanceof protobuf.Type) {
      const ref: protobuf.ReflectionObject | null = theirs.lookup(name);
      assert.ok(ref instanceof protobuf.Type, `${label}: message ${name} missing from reference`);
      const mine = Object.keys(obj.fields).sort();
      const refFields = Object.keys(ref.fields).sort();
      // Equal sets, not a subset: a field we leave out would be silently dropped when decoding.
      assert.deepEqual(mine, refFields, `${label}: ${name} field names`);
      for (const f of obj.fieldsArray) {
        const rf: protobuf.Field | undefined = ref.fields[f.name];
        assert.ok(rf);
        assert.deepEqual(fieldShape(f), fieldShape(rf), `${label}: ${name}.${f.name}`);
      }
      checked++;
    } else if (obj instanceof protobuf.Enum) {
      const ref = theirs.lookup(name);
      assert.ok(ref instanceof protobuf.Enum, `${label}: enum ${name} missing from reference`);
      assert.deepEqual({ ...obj.values }, { ...ref.values }, `${label}: enum ${name} values`);
      checked++;
    } else if (obj instanceof protobuf.Service) {
      const ref: protobuf.ReflectionObject | null = theirs.lookup(name);
      assert.ok(
        ref instanceof protobuf.Service,
        `${label}: service ${name} missing from reference`,
      );
      for (const m of obj.methodsArray) {
        const rm: protobuf.Method | undefined = ref.methods[m.name];
        assert.ok(rm, `${label}: method ${name}.${m.name} missing from reference`);
        m.resolve();
        rm.resolve();
        assert.deepEqual(
          {
            req: bare(m.resolvedRequestType?.fullName ?? ''),
            res: bare(m.resolvedResponseType?.fullName ?? ''),
            reqStream: m.requestStream === true,
            resStream: m.responseStream === true,
          },
          {
            req: bare(rm.resolvedRequestType?.fullName ?? ''),
            res: bare(rm.resolvedResponseType?.fullName ?? ''),
            reqStream: rm.requestStream === true,
            resStream: rm.responseStream === true,
          },
          `${label}: method ${name}.${m.name}`,
        );
        checked++;
      }
    }
  }
  return checked;
}

/**
 * Copies the reference tree without its `import weak` lines (gogo and
 * fieldpath protos are not installed, and their options are irrelevant to
 * the wire), adding berth's google/rpc/status.proto which nobody ships.
 */
function referenceCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-protoref-'));
  cpSync(path.join(REF_SRC, API), path.join(dir, API), {
    recursive: true,
    filter: (src) => !src.endsWith('.go'),
  });
  const strip = (d: string): void => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) strip(p);
      else if (ent.name.endsWith('.proto')) {
        const text = readFileSync(p, 'utf8');
        writeFileSync(p, text.replace(/^\s*import\s+weak\s+"[^"]*";\s*$/gm, ''));
      }
    }
  };
  strip(dir);
  cpSync(path.join(PROTO_DIR, 'google'), path.join(dir, 'google'), { recursive: true });
  return dir;
}

describe('containerd proto conformance', function () {
  let refDir: string | undefined;

  before(function () {
    if (!existsSync(path.join(REF_SRC, API, 'services'))) {
      this.skip(); // reference API not installed (apt-get install golang-github-containerd-containerd-dev)
    }
    refDir = referenceCopy();
  });

  after(() => {
    if (refDir) rmSync(refDir, { recursive: true, force: true });
  });

  it('every berth proto file has a reference counterpart', function () {
    const missing = allProtoFiles()
      .filter((f) => f.startsWith(`${API}/`))
      .filter((f) => !existsSync(path.join(REF_SRC, f)));
    assert.deepEqual(missing, []);
  });

  it('messages, enums and methods match containerd 1.6 (names, numbers, types, streaming)', function () {
    const files = allProtoFiles();
    const ours = loadRoot(files);
    assert.ok(refDir);
    const theirs = loadRoot(files, refDir);
    const checked = assertConforms(ours, theirs, 'proto/');
    assert.ok(checked > 150, `only ${checked} definitions compared`);
  });

  it('declares the methods berth relies on', function () {
    const ours = loadRoot(allProtoFiles());
    const methods = (svc: string): string[] => Object.keys(ours.lookupService(svc).methods).sort();
    assert.deepEqual(methods('containerd.services.tasks.v1.Tasks'), [
      'CloseIO',
      'Create',
      'Delete',
      'DeleteProcess',
      'Exec',
      'Get',
      'Kill',
      'List',
      'ListPids',
      'Metrics',
      'Pause',
      'ResizePty',
      'Resume',
      'Start',
      'Update',
      'Wait',
    ]);
    assert.deepEqual(methods('containerd.services.content.v1.Content'), [
      'Abort',
      'Delete',
      'Info',
      'List',
      'ListStatuses',
      'Read',
      'Status',
      'Update',
      'Write',
    ]);
    assert.deepEqual(methods('containerd.services.events.v1.Events'), ['Publish', 'Subscribe']);
  });

  it('the JSON descriptors carry exactly what proto/ declares', function () {
    const full = loadRoot(allProtoFiles());
    for (const service of Object.keys(SERVICES)) {
      const fromJson = protobuf.Root.fromJSON(serviceDescriptor(service));
      // Both directions: nothing lost (e.g. a field named "options") and nothing invented.
      assertConforms(fromJson, full, `${service}.json`);
      for (const file of SERVICES[service] ?? []) {
        const direct = loadRoot([file]);
        assertConforms(direct, fromJson, `${service}.json vs ${file}`);
      }
    }
  });
});
