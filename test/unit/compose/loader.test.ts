import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject, type ProjectOptions } from '../../../src/compose/loader.js';
import { substitute } from '../../../src/compose/interpolate.js';
import { parseDotenv } from '../../../src/compose/dotenv.js';
import { parsePortShort, parseVolumeShort, shellSplit } from '../../../src/compose/canonical.js';
import { projectForOutput, renderYaml } from '../../../src/compose/render.js';
import { ComposeError } from '../../../src/compose/errors.js';

let dir: string;
function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}
function load(o: Partial<ProjectOptions> = {}) {
  return loadProject({ cwd: dir, env: {}, ...o });
}
function fails(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ComposeError, `expected a ComposeError, got ${String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.equal(e.exitCode, 1);
    return true;
  });
}

describe('compose project loading', () => {
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-compose-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('interpolation', () => {
    const env: Record<string, string> = { A: 'a', EMPTY: '' };
    const warned: string[] = [];
    const ctx = { lookup: (n: string) => env[n], warn: (n: string) => warned.push(n) };
    it('substitutes the spec forms', () => {
      assert.equal(substitute('${A}-$A-$$A', ctx, 'x'), 'a-a-$A');
      assert.equal(substitute('${EMPTY:-d} ${EMPTY-d} ${UNSET-d}', ctx, 'x'), 'd  d');
      assert.equal(substitute('${UNSET:-${A:-z}}', ctx, 'x'), 'a');
      assert.equal(substitute('${A:+yes}${UNSET:+no}', ctx, 'x'), 'yes');
      assert.equal(substitute('cost $5 and $', ctx, 'x'), 'cost $5 and $');
    });
    it('warns for an unset variable and uses a blank', () => {
      warned.length = 0;
      assert.equal(substitute('x${NOPE}y', ctx, 'x'), 'xy');
      assert.deepEqual(warned, ['NOPE']);
    });
    it('fails on a required variable and on a bad format', () => {
      fails(
        () => substitute('${NOPE:?need it}', ctx, 'services.web.image'),
        'error while interpolating services.web.image: required variable NOPE is missing a value: need it',
      );
      fails(() => substitute('${EMPTY:?e}', ctx, 'k'), /required variable EMPTY/);
      fails(
        () => substitute('${A', ctx, 'services.web.image'),
        /^invalid interpolation format for services.web.image/,
      );
    });
  });

  describe('.env files', () => {
    it('reads the dotenv forms', () => {
      const m = parseDotenv(
        '# c\nexport A=1\nB = two words # comment\nC="x\\ny ${A}"\nD=\'${A}\'\nE: yaml\nF=${A}-${G:-g}\nH\n',
        (n) => (n === 'H' ? 'from-env' : undefined),
        '.env',
      );
      assert.deepEqual(Object.fromEntries(m), {
        A: '1',
        B: 'two words',
        C: 'x\ny 1',
        D: '${A}',
        E: 'yaml',
        F: '1-g',
        H: 'from-env',
      });
    });
  });

  describe('short forms', () => {
    it('splits commands as a shell does', () => {
      assert.deepEqual(shellSplit(`sh -c 'echo "a b"' x\\ y "q\\"r"`), [
        'sh',
        '-c',
        'echo "a b"',
        'x y',
        'q"r',
      ]);
    });
    it('expands ports', () => {
      assert.deepEqual(parsePortShort('127.0.0.1:8080:80/udp'), [
        { mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8080', protocol: 'udp' },
      ]);
      assert.deepEqual(parsePortShort('80'), [{ mode: 'ingress', target: 80, protocol: 'tcp' }]);
      assert.equal(parsePortShort('8000-8001:80-81').length, 2);
      assert.equal(parsePortShort('8000-8001:80-81')[1].published, '8001');
    });
    it('expands volumes', () => {
      assert.deepEqual(parseVolumeShort('./data:/d:ro', '/p'), {
        type: 'bind',
        source: '/p/data',
        target: '/d',
        read_only: true,
        bind: { create_host_path: true },
      });
      assert.deepEqual(parseVolumeShort('db:/var/lib', '/p'), {
        type: 'volume',
        source: 'db',
        target: '/var/lib',
        volume: {},
      });
      assert.deepEqual(parseVolumeShort('/anon', '/p'), {
        type: 'volume',
        target: '/anon',
        volume: {},
      });
    });
  });

  describe('files', () => {
    it('finds compose.yaml and its override, upward from the directory', () => {
      write({
        'compose.yaml': 'services:\n  web:\n    image: busybox\n    environment: [A=1]\n',
        'compose.override.yaml': 'services:\n  web:\n    environment:\n      B: "2"\n',
        'sub/x': '',
      });
      const p = load({ cwd: join(dir, 'sub') });
      assert.deepEqual(p.configFiles, [
        join(dir, 'compose.yaml'),
        join(dir, 'compose.override.yaml'),
      ]);
      assert.deepEqual(p.services.web.environment, { A: '1', B: '2' });
      assert.equal(p.workingDir, dir);
    });
    it('says so when there is no file', () => {
      fails(() => load(), 'no configuration file provided: not found');
    });
    it('merges -f files as Compose does', () => {
      write({
        'a.yaml':
          'services:\n  web:\n    image: busybox\n    command: echo a\n    ports: ["8080:80"]\n    volumes: ["x:/data"]\n    dns: [1.1.1.1]\n    labels: {l1: a}\nvolumes: {x: {}, y: {}}\n',
        'b.yaml':
          'services:\n  web:\n    command: ["echo", "b"]\n    ports: ["127.0.0.1:8080:80", "9090:90"]\n    volumes: ["y:/data"]\n    dns: [8.8.8.8]\n    labels: [l2=b]\n',
      });
      const p = load({ files: ['a.yaml', 'b.yaml'] });
      const web = p.services.web;
      assert.deepEqual(web.command, ['echo', 'b']);
      assert.equal(web.ports?.length, 3);
      assert.deepEqual(web.volumes, [{ type: 'volume', source: 'y', target: '/data', volume: {} }]);
      assert.deepEqual(web.dns, ['1.1.1.1', '8.8.8.8']);
      assert.deepEqual(web.labels, { l1: 'a', l2: 'b' });
    });
    it('applies !reset and !override', () => {
      write({
        'a.yaml':
          'services:\n  web:\n    image: busybox\n    ports: ["8080:80"]\n    environment: {A: "1", B: "2"}\n',
        'b.yaml':
          'services:\n  web:\n    ports: !override ["9090:90"]\n    environment:\n      A: !reset null\n',
      });
      const web = load({ files: ['a.yaml', 'b.yaml'] }).services.web;
      assert.deepEqual(
        web.ports?.map((x) => x.target),
        [90],
      );
      assert.deepEqual(web.environment, { B: '2' });
    });
    it('takes COMPOSE_FILE, COMPOSE_PROJECT_NAME and -p', () => {
      write({ 'one.yaml': 'name: fromfile\nservices:\n  a:\n    image: busybox\n' });
      assert.equal(load({ env: { COMPOSE_FILE: 'one.yaml' } }).name, 'fromfile');
      assert.equal(
        load({ env: { COMPOSE_FILE: 'one.yaml', COMPOSE_PROJECT_NAME: 'envname' } }).name,
        'envname',
      );
      assert.equal(
        load({ files: ['one.yaml'], projectName: 'flag', env: { COMPOSE_PROJECT_NAME: 'envname' } })
          .name,
        'flag',
      );
      fails(
        () => load({ files: ['one.yaml'], projectName: 'Bad!' }),
        /^invalid project name "Bad!"/,
      );
    });
    it('names the project after the directory, normalised', () => {
      const sub = join(dir, 'My.App_1');
      mkdirSync(sub);
      writeFileSync(join(sub, 'compose.yml'), 'services:\n  a:\n    image: busybox\n');
      assert.equal(load({ cwd: sub }).name, 'myapp_1');
    });
  });

  describe('variables', () => {
    it('interpolates from .env with the environment winning', () => {
      write({
        '.env': 'TAG=1.0\nPORT=8080\n',
        'compose.yaml':
          'services:\n  web:\n    image: "busybox:${TAG}"\n    ports: ["${PORT}:80"]\n    command: echo $$HOME\n',
      });
      const p = load({ env: { PORT: '9000' } });
      assert.equal(p.services.web.image, 'busybox:1.0');
      assert.equal(p.services.web.ports?.[0].published, '9000');
      assert.deepEqual(p.services.web.command, ['echo', '$HOME']);
    });
    it('reads --env-file instead of .env', () => {
      write({
        '.env': 'TAG=dot\n',
        'other.env': 'TAG=other\n',
        'compose.yaml': 'services:\n  web:\n    image: "busybox:${TAG}"\n',
      });
      assert.equal(load({ envFiles: ['other.env'] }).services.web.image, 'busybox:other');
    });
    it('folds env_file into environment, environment winning', () => {
      write({
        'e.env': 'A=from-file\nB=file\n',
        'compose.yaml':
          'services:\n  web:\n    image: busybox\n    env_file: e.env\n    environment: {A: mine}\n',
      });
      const web = load().services.web;
      assert.deepEqual(web.environment, { A: 'mine', B: 'file' });
      assert.equal(web.env_file, undefined);
    });
    it('reports a missing env_file', () => {
      write({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    env_file: nope.env\n' });
      fails(() => load(), /^env file .*nope.env not found/);
    });
    it('collects a warning per unset variable', () => {
      write({
        'compose.yaml': 'services:\n  web:\n    image: "busybox${X}"\n    command: "${X}"\n',
      });
      assert.deepEqual(load().warnings, [
        'The "X" variable is not set. Defaulting to a blank string.',
      ]);
    });
  });

  describe('validation', () => {
    it('names the key and the line of an unknown property', () => {
      write({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    imagee: x\n' });
      fails(
        () => load(),
        `validating ${join(dir, 'compose.yaml')}: services.web additional properties 'imagee' not allowed (line 4)`,
      );
    });
    it('names a wrong type', () => {
      write({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    privileged: [x]\n' });
      fails(
        () => load(),
        /^validating .*compose.yaml: services.web.privileged must be a boolean or string \(line 4\)$/,
      );
    });
    it('reports YAML syntax errors with their line', () => {
      write({ 'compose.yaml': 'services:\n  web:\n    image: [busybox\n' });
      fails(() => load(), /^yaml: .*compose.yaml: line \d+/);
    });
    it('refuses undefined dependencies, volumes, networks and cycles', () => {
      write({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    depends_on: [db]\n' });
      fails(
        () => load(),
        'service "web" depends on undefined service "db": invalid compose project',
      );
      write({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    volumes: ["v:/d"]\n' });
      fails(() => load(), 'service "web" refers to undefined volume v: invalid compose project');
      write({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    networks: [n]\n' });
      fails(() => load(), 'service "web" refers to undefined network n: invalid compose project');
      write({
        'compose.yaml':
          'services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [a]\n',
      });
      fails(() => load(), /^dependency cycle detected: /);
    });
  });

  describe('extends, include and profiles', () => {
    it('extends a service in the same file and in another file', () => {
      write({
        'base/common.yaml':
          'services:\n  base:\n    image: busybox\n    env_file: base.env\n    environment: {A: "1"}\n',
        'base/base.env': 'FROM_BASE=yes\n',
        'compose.yaml':
          'services:\n  tmpl:\n    image: busybox\n    labels: {t: "1"}\n  web:\n    extends: tmpl\n    command: echo\n  app:\n    extends: {file: base/common.yaml, service: base}\n    environment: {B: "2"}\n',
      });
      const p = load();
      assert.deepEqual(p.services.web.labels, { t: '1' });
      assert.deepEqual(p.services.web.command, ['echo']);
      assert.deepEqual(p.services.app.environment, { FROM_BASE: 'yes', A: '1', B: '2' });
    });
    it('includes another project', () => {
      write({
        'db/compose.yaml': 'services:\n  db:\n    image: "busybox:${DBTAG}"\n',
        'db/.env': 'DBTAG=inc\n',
        'compose.yaml':
          'include:\n  - db/compose.yaml\nservices:\n  web:\n    image: busybox\n    depends_on: [db]\n',
      });
      const p = load();
      assert.deepEqual(Object.keys(p.services).sort(), ['db', 'web']);
      assert.equal(p.services.db.image, 'busybox:inc');
    });
    it('enables services by --profile, COMPOSE_PROFILES and by name', () => {
      write({
        'compose.yaml':
          'services:\n  web:\n    image: busybox\n  debug:\n    image: busybox\n    profiles: [dbg]\n',
      });
      assert.deepEqual(Object.keys(load().services), ['web']);
      assert.deepEqual(Object.keys(load({ profiles: ['dbg'] }).services).sort(), ['debug', 'web']);
      assert.deepEqual(Object.keys(load({ env: { COMPOSE_PROFILES: 'dbg' } }).services).sort(), [
        'debug',
        'web',
      ]);
      assert.deepEqual(Object.keys(load({ services: ['debug'] }).services).sort(), [
        'debug',
        'web',
      ]);
    });
  });

  describe('config output', () => {
    it('prints the normalised project like docker compose config', () => {
      write({
        'compose.yaml': [
          'services:',
          '  web:',
          '    image: busybox',
          '    command: echo hi',
          '    ports: ["8080:80"]',
          '    depends_on: [db]',
          '    environment: [Z=1, A=2]',
          '  db:',
          '    image: busybox',
          '    volumes: [data:/data]',
          '    healthcheck: {test: "true", interval: 1s}',
          'volumes:',
          '  data: {}',
          '',
        ].join('\n'),
      });
      const p = load({ projectName: 'demo' });
      assert.equal(
        renderYaml(projectForOutput(p)),
        [
          'name: demo',
          'services:',
          '  db:',
          '    healthcheck:',
          '      test:',
          '        - CMD-SHELL',
          '        - "true"',
          '      interval: 1s',
          '    image: busybox',
          '    networks:',
          '      default: null',
          '    volumes:',
          '      - type: volume',
          '        source: data',
          '        target: /data',
          '        volume: {}',
          '  web:',
          '    command:',
          '      - echo',
          '      - hi',
          '    depends_on:',
          '      db:',
          '        condition: service_started',
          '        required: true',
          '    environment:',
          '      A: "2"',
          '      Z: "1"',
          '    image: busybox',
          '    networks:',
          '      default: null',
          '    ports:',
          '      - mode: ingress',
          '        target: 80',
          '        published: "8080"',
          '        protocol: tcp',
          'networks:',
          '  default:',
          '    name: demo_default',
          'volumes:',
          '  data:',
          '    name: demo_data',
          '',
        ].join('\n'),
      );
    });
  });
});

describe('compose schema validator', () => {
  it('is the one generated from the vendored schema', function () {
    this.timeout(30000);
    execFileSync(process.execPath, ['scripts/build-compose-schema.mjs', '--check'], {
      stdio: 'pipe',
    });
  });
});
