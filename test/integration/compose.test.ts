import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, berthAsync, ctr, ctrList, env, type Result } from '../support/berth.js';

const IMG = () => `${env.registry}/lab/busybox:latest`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function httpGet(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 30000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('compose', function () {
  this.timeout(180000);
  let dir: string;
  let project: string;
  const compose = (
    args: string[],
    extra: { env?: Record<string, string>; cwd?: string } = {},
  ): Result => berth(['compose', ...args], { cwd: extra.cwd ?? dir, env: extra.env });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-compose-it-'));
    project = `ct${process.pid}${Math.random().toString(36).slice(2, 6)}`;
  });
  afterEach(() => {
    compose(['-p', project, 'down', '-v', '-t', '0', '--remove-orphans']);
    const ids = ctrList(['containers', 'ls']);
    if (ids.length) berth(['rm', '-f', ...ids]);
    rmSync(dir, { recursive: true, force: true });
  });
  // Built services leave the builder's cache (and its lease), as Docker's build cache outlives
  // down; the suite's later files expect a namespace without leases.
  after(() => {
    berth(['builder', 'prune', '-a', '-f']);
  });

  /**
   * web (built from ./web with args, a target and labels; a published port), db (healthy after a
   * delay) and app (waits for db to be healthy).
   */
  async function threeServices(): Promise<number> {
    const port = await freePort();
    mkdirSync(join(dir, 'web', 'www'), { recursive: true });
    writeFileSync(join(dir, 'web', 'www', 'index.html'), 'hello from web\n');
    // The target stage serves the greeting; the last stage, which a build without the target
    // would give, overwrites it.
    writeFileSync(
      join(dir, 'web', 'web.Dockerfile'),
      [
        'ARG BASE',
        'FROM ${BASE} AS serve',
        'ARG GREETING',
        'COPY www /www',
        'RUN echo "$GREETING" > /www/greeting.txt',
        'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]',
        'FROM serve',
        'RUN echo wrong target > /www/index.html',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, '.env'), `IMAGE=${IMG()}\nWEB_PORT=${port}\n`);
    writeFileSync(
      join(dir, 'compose.yaml'),
      [
        `name: ${project}`,
        'services:',
        '  web:',
        '    build:',
        '      context: ./web',
        '      dockerfile: web.Dockerfile',
        '      target: serve',
        '      args: {BASE: "${IMAGE}", GREETING: "built by compose"}',
        '      labels: [com.example.built=yes]',
        '    ports: ["127.0.0.1:${WEB_PORT}:80"]',
        '  db:',
        '    image: ${IMAGE}',
        '    command: sh -c "echo db starting; sleep 2; touch /tmp/ready; exec sleep 1000"',
        '    volumes: ["data:/data"]',
        '    healthcheck:',
        '      test: ["CMD", "test", "-f", "/tmp/ready"]',
        '      interval: 300ms',
        '      retries: 30',
        '  app:',
        '    image: ${IMAGE}',
        '    command: sh -c "echo app up; exec sleep 1000"',
        '    depends_on:',
        '      db:',
        '        condition: service_healthy',
        '      web:',
        '        condition: service_started',
        'volumes:',
        '  data: {}',
        '',
      ].join('\n'),
    );
    return port;
  }

  it('up -d: health-gated order, names and labels, a published port, services reach each other by name', async () => {
    const port = await threeServices();
    const up = compose(['up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, new RegExp(` Container ${project}-db-1  Healthy`));
    const ps = compose(['ps', '--format', '{{.Name}} {{.Service}} {{.Status}}']);
    assert.equal(ps.code, 0, ps.stderr);
    const lines = ps.stdout.trim().split('\n').sort();
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, new RegExp(`^${project}-db-1 db Up .*\\(healthy\\)$`));
    // app started only once db was healthy: db's readiness file comes 2 s after its start.
    const started = (n: string): number =>
      new Date(
        berth(['inspect', '--format', '{{.State.StartedAt}}', `${project}-${n}-1`]).stdout.trim(),
      ).getTime();
    assert.ok(started('app') - started('db') >= 2000, `app ${started('app')}, db ${started('db')}`);
    // Labels and names as Docker Compose writes them.
    const labels = JSON.parse(
      berth(['inspect', '--format', '{{json .Config.Labels}}', `${project}-web-1`]).stdout,
    );
    assert.equal(labels['com.docker.compose.project'], project);
    assert.equal(labels['com.docker.compose.service'], 'web');
    assert.equal(labels['com.docker.compose.container-number'], '1');
    assert.equal(labels['com.docker.compose.oneoff'], 'False');
    assert.match(labels['com.docker.compose.config-hash'], /^[0-9a-f]{64}$/);
    assert.equal(labels['com.docker.compose.project.working_dir'], dir);
    assert.equal(labels['com.docker.compose.project.config_files'], join(dir, 'compose.yaml'));
    assert.match(
      berth(['network', 'ls', '--format', '{{.Name}}']).stdout,
      new RegExp(`^${project}_default$`, 'm'),
    );
    assert.match(
      berth(['volume', 'ls', '--format', '{{.Name}}']).stdout,
      new RegExp(`^${project}_data$`, 'm'),
    );
    // web's image was built as Compose v2 names it, from the target stage, with args and labels.
    assert.match(up.stderr, new RegExp(` Service web  Built`));
    assert.equal(
      berth([
        'image',
        'inspect',
        '--format',
        '{{index .Config.Labels "com.example.built"}}',
        `${project}-web`,
      ]).stdout,
      'yes\n',
    );
    assert.equal(
      berth(['inspect', '--format', '{{.Config.Image}}', `${project}-web-1`]).stdout,
      `${project}-web\n`,
    );
    // The published port on 127.0.0.1, and the service names on the project network.
    assert.equal(await until('web', () => httpGet(port)), 'hello from web\n');
    assert.equal(await httpGet(port, '/greeting.txt'), 'built by compose\n');
    const fromApp = compose(['exec', '-T', 'app', 'wget', '-q', '-O', '-', 'http://web/']);
    assert.equal(fromApp.code, 0, fromApp.stderr);
    assert.equal(fromApp.stdout, 'hello from web\n');
    // logs: Compose's prefixes.
    const logs = compose(['logs', '--no-color']);
    assert.match(logs.stdout, /^db-1 +\| db starting$/m);
    assert.match(logs.stdout, /^app-1 +\| app up$/m);
    assert.match(compose(['logs', '--no-log-prefix', 'db']).stdout, /^db starting$/m);
  });

  it('up again leaves unchanged services alone and recreates a changed one; down -v leaves nothing', async () => {
    await threeServices();
    assert.equal(compose(['up', '-d']).code, 0);
    const ids = (): Record<string, string> =>
      Object.fromEntries(
        compose(['ps', '-a', '--format', '{{.Service}} {{.ID}}'])
          .stdout.trim()
          .split('\n')
          .map((l) => l.split(' ')),
      );
    const first = ids();
    const again = compose(['up', '-d']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(ids(), first);
    writeFileSync(
      join(dir, 'compose.override.yaml'),
      'services:\n  web:\n    environment: {CHANGED: "1"}\n',
    );
    const changed = compose(['up', '-d']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stderr, new RegExp(` Container ${project}-web-1  Recreate`));
    const after = ids();
    assert.notEqual(after.web, first.web);
    assert.equal(after.db, first.db);
    assert.equal(after.app, first.app);

    // The project network's bridge device goes with the network, as with Docker.
    const bridge = berth([
      'network',
      'inspect',
      '-f',
      '{{index .Options "com.docker.network.bridge.name"}}',
      `${project}_default`,
    ]).stdout.trim();
    const link = (): number | null => spawnSync('ip', ['link', 'show', bridge]).status;
    assert.equal(link(), 0, `bridge ${bridge} of ${project}_default`);
    const down = compose(['down', '-v']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(ctrList(['containers', 'ls']), []);
    assert.notEqual(link(), 0, `bridge ${bridge} left after down`);
    assert.doesNotMatch(
      berth(['network', 'ls', '--format', '{{.Name}}']).stdout,
      new RegExp(project),
    );
    assert.doesNotMatch(
      berth(['volume', 'ls', '--format', '{{.Name}}']).stdout,
      new RegExp(project),
    );
    // Only the builder's cache lease (web was built) stays, as Docker's build cache outlives down.
    assert.deepEqual(
      ctr(['leases', 'ls'])
        .stdout.trim()
        .split('\n')
        .slice(1)
        .filter((l) => !l.startsWith('berth-build-cache ')),
      [],
      'a lease was left',
    );
    assert.equal(compose(['ps', '-a', '-q']).stdout, '');
  });

  it('build: compose build, up without --build keeps the image, up --build rebuilds and recreates, --no-build', () => {
    mkdirSync(join(dir, 'app'));
    writeFileSync(
      join(dir, 'app', 'Dockerfile'),
      `FROM ${IMG()}\nCOPY v.txt /v.txt\nCMD ["sleep", "1000"]\n`,
    );
    writeFileSync(join(dir, 'app', 'v.txt'), 'one\n');
    // image: names the built image; the registry does not have it, so up builds it.
    const image = `${env.registry}/lab/${project}-app:v1`;
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${project}\nservices:\n  app:\n    build: ./app\n    image: ${image}\n`,
    );
    const v = (): string => compose(['exec', '-T', 'app', 'cat', '/v.txt']).stdout;
    try {
      const noBuild = compose(['up', '-d', '--no-build']);
      assert.notEqual(noBuild.code, 0);
      assert.match(noBuild.stderr, /No such image/);
      assert.deepEqual(ctrList(['containers', 'ls']), []);

      const b = compose(['build', '-q']);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(b.stdout, '');
      assert.equal(berth(['image', 'inspect', '--format', '{{.Id}}', image]).code, 0);

      const up = compose(['up', '-d']);
      assert.equal(up.code, 0, up.stderr);
      assert.doesNotMatch(up.stderr, /Building/);
      assert.equal(v(), 'one\n');

      writeFileSync(join(dir, 'app', 'v.txt'), 'two\n');
      const again = compose(['up', '-d']);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stderr, /Building|Recreate/);
      assert.equal(v(), 'one\n');

      const rebuilt = compose(['up', '-d', '--build']);
      assert.equal(rebuilt.code, 0, rebuilt.stderr);
      assert.match(rebuilt.stderr, / Service app {2}Built/);
      assert.match(rebuilt.stderr, new RegExp(` Container ${project}-app-1  Recreate`));
      assert.equal(v(), 'two\n');

      // down --rmi local keeps an image named by image:; --rmi all removes it.
      assert.equal(compose(['down', '--rmi', 'local']).code, 0);
      assert.equal(berth(['image', 'inspect', image]).code, 0);
      assert.equal(compose(['up', '-d']).code, 0);
      const down = compose(['down', '--rmi', 'all']);
      assert.equal(down.code, 0, down.stderr);
      assert.notEqual(berth(['image', 'inspect', image]).code, 0);
      assert.deepEqual(ctrList(['containers', 'ls']), []);
    } finally {
      berth(['rmi', '-f', image]);
    }
  });

  it('down --rmi local removes the images Compose named for built services; a bad value changes nothing', () => {
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'Dockerfile'), `FROM ${IMG()}\nCMD ["sleep", "1000"]\n`);
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${project}\nservices:\n  app:\n    build: {context: app}\n  plain:\n    image: ${IMG()}\n    command: sleep 1000\n`,
    );
    assert.equal(compose(['up', '-d']).code, 0);
    const bad = compose(['down', '--rmi', 'some']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'invalid value for --rmi: "some"\n');
    assert.equal(compose(['ps', '-q']).stdout.trim().split('\n').length, 2);
    const down = compose(['down', '--rmi', 'local']);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, new RegExp(` Image ${project}-app  Removed`));
    assert.notEqual(berth(['image', 'inspect', `${project}-app`]).code, 0);
    assert.equal(berth(['image', 'inspect', IMG()]).code, 0);
  });

  it("a network's aliases resolve on that network only; the service name on each", () => {
    writeFileSync(
      join(dir, 'compose.yaml'),
      [
        `name: ${project}`,
        'services:',
        '  api:',
        `    image: ${IMG()}`,
        '    command: sleep 1000',
        '    networks: {back: {aliases: [store]}, front: {}}',
        '  onback:',
        `    image: ${IMG()}`,
        '    command: sleep 1000',
        '    networks: [back]',
        '  onfront:',
        `    image: ${IMG()}`,
        '    command: sleep 1000',
        '    networks: [front]',
        'networks: {back: {}, front: {}}',
        '',
      ].join('\n'),
    );
    const up = compose(['up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    const ping = (from: string, to: string): Result =>
      compose(['exec', '-T', from, 'ping', '-c', '1', '-W', '2', to]);
    assert.equal(ping('onback', 'store').code, 0, ping('onback', 'store').stderr);
    assert.equal(ping('onback', 'api').code, 0);
    assert.equal(ping('onfront', 'api').code, 0);
    const fromFront = ping('onfront', 'store');
    assert.notEqual(fromFront.code, 0, 'the back alias resolved on front');
    assert.match(fromFront.stderr, /bad address 'store'/);
    const aliases = JSON.parse(
      berth(['inspect', '--format', '{{json .NetworkSettings.Networks}}', `${project}-api-1`])
        .stdout,
    ) as Record<string, { Aliases: string[] }>;
    assert.ok(aliases[`${project}_back`]!.Aliases.includes('store'));
    assert.ok(!aliases[`${project}_front`]!.Aliases.includes('store'));
  });

  it("top lists each running container's processes; up --pull never refuses a missing image, always pulls", () => {
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${project}\nservices:\n  box:\n    image: ${IMG()}\n    command: sleep 1234\n`,
    );
    assert.equal(compose(['up', '-d']).code, 0);
    const top = compose(['top']);
    assert.equal(top.code, 0, top.stderr);
    assert.match(
      top.stdout,
      new RegExp(`^${project}-box-1\nUID +PID +PPID +C +STIME +TTY +TIME +CMD\n`),
    );
    assert.match(top.stdout, /^root +\d+ +\d+ .* sleep 1234\n\n$/m);
    assert.equal(compose(['down', '-t', '0']).code, 0);

    // A tag the registry has and this namespace does not: `never` refuses it, `always` pulls.
    const missing = `${env.registry}/lab/busybox:latest`;
    berth(['rmi', '-f', missing]);
    const bad = compose(['up', '-d', '--pull', 'sometimes']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid --pull option "sometimes"/);
    const never = compose(['up', '-d', '--pull', 'never']);
    assert.notEqual(never.code, 0);
    assert.match(never.stderr, /No such image/);
    const always = compose(['up', '-d', '--pull', 'always']);
    assert.equal(always.code, 0, always.stderr);
    assert.match(always.stderr, / box Pulled/);
    assert.match(compose(['ps', '--format', '{{.State}}']).stdout, /^running$/m);
  });

  it('push: pushes the built services that name an image, skips the others', () => {
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'Dockerfile'), `FROM ${IMG()}\nLABEL pushed=${project}\n`);
    const image = `${env.registry}/lab/${project}-pushed:v1`;
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${project}\nservices:\n  app:\n    build: ./app\n    image: ${image}\n  plain:\n    image: ${IMG()}\n`,
    );
    try {
      assert.equal(compose(['build']).code, 0);
      const push = compose(['push']);
      assert.equal(push.code, 0, push.stderr);
      assert.match(push.stderr, / app Pushed/);
      assert.match(push.stderr, / plain Skipped/);
      // What the registry now has: the pulled copy carries the build's label.
      assert.equal(berth(['rmi', image]).code, 0);
      assert.equal(berth(['pull', '-q', image]).code, 0);
      assert.equal(
        berth(['image', 'inspect', '--format', '{{index .Config.Labels "pushed"}}', image]).stdout,
        `${project}\n`,
      );
    } finally {
      berth(['rmi', '-f', image]);
    }
  });

  it('exec and run --rm pass exit codes through; run --rm leaves no container', async () => {
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${project}\nservices:\n  box:\n    image: ${IMG()}\n    command: sleep 1000\n`,
    );
    assert.equal(compose(['up', '-d']).code, 0);
    assert.equal(compose(['exec', '-T', 'box', 'sh', '-c', 'exit 3']).code, 3);
    const e = compose([
      'exec',
      '-T',
      '-e',
      'X=42',
      '-w',
      '/tmp',
      'box',
      'sh',
      '-c',
      'echo $X $(pwd)',
    ]);
    assert.equal(e.stdout, '42 /tmp\n');
    const r = compose(['run', '--rm', '-T', 'box', 'sh', '-c', 'echo one-off; exit 4']);
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stdout, 'one-off\n');
    assert.equal(compose(['ps', '-a', '-q']).stdout.trim().split('\n').length, 1);
    assert.equal(ctrList(['containers', 'ls']).length, 1);
  });

  it('-f a -f b merge, .env interpolation and profiles', () => {
    writeFileSync(join(dir, '.env'), `IMAGE=${IMG()}\nGREETING=hi\n`);
    writeFileSync(
      join(dir, 'a.yaml'),
      `name: ${project}\nservices:\n  one:\n    image: \${IMAGE}\n    command: echo \${GREETING}\n  extra:\n    image: \${IMAGE}\n    command: sleep 1000\n    profiles: [debug]\n`,
    );
    writeFileSync(
      join(dir, 'b.yaml'),
      'services:\n  one:\n    command: ["sleep", "1000"]\n    environment: [FROM_B=1]\n',
    );
    const cfg = compose(['-f', 'a.yaml', '-f', 'b.yaml', 'config', '--format', 'json']);
    assert.equal(cfg.code, 0, cfg.stderr);
    const j = JSON.parse(cfg.stdout);
    assert.deepEqual(j.services.one.command, ['sleep', '1000']);
    assert.deepEqual(j.services.one.environment, { FROM_B: '1' });
    assert.equal(j.services.one.image, IMG());
    assert.deepEqual(Object.keys(j.services), ['one']);
    assert.equal(compose(['-f', 'a.yaml', '-f', 'b.yaml', 'up', '-d']).code, 0);
    assert.equal(compose(['-f', 'a.yaml', 'ps', '--services']).stdout, 'one\n');
    assert.equal(
      compose(['-f', 'a.yaml', '-f', 'b.yaml', '--profile', 'debug', 'up', '-d']).code,
      0,
    );
    assert.deepEqual(
      compose(['-f', 'a.yaml', 'ps', '--format', '{{.Service}}']).stdout.trim().split('\n').sort(),
      ['extra', 'one'],
    );
  });

  it('an invalid file is one line, exit 1, and creates nothing', () => {
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${project}\nservices:\n  web:\n    image: ${IMG()}\n    portz: ["80"]\n`,
    );
    const r = compose(['up', '-d']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `validating ${join(dir, 'compose.yaml')}: services.web additional properties 'portz' not allowed (line 5)\n`,
    );
    assert.deepEqual(ctrList(['containers', 'ls']), []);
    assert.doesNotMatch(
      berth(['network', 'ls', '--format', '{{.Name}}']).stdout,
      new RegExp(project),
    );
  });

  it("a dependency that becomes unhealthy stops up with Docker Compose's message", () => {
    writeFileSync(
      join(dir, 'compose.yaml'),
      [
        `name: ${project}`,
        'services:',
        '  db:',
        `    image: ${IMG()}`,
        '    command: sleep 1000',
        '    healthcheck: {test: "exit 1", interval: 200ms, retries: 2}',
        '  app:',
        `    image: ${IMG()}`,
        '    command: sleep 1000',
        '    depends_on: {db: {condition: service_healthy}}',
        '',
      ].join('\n'),
    );
    const r = compose(['up', '-d']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`dependency failed to start: container ${project}-db-1 is unhealthy\\n$`),
    );
    assert.equal(compose(['ps', '-a', '--format', '{{.Service}}']).stdout, 'db\n');
  });

  it('foreground up prints prefixed logs and Ctrl-C stops the containers', async () => {
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: ${project}\nservices:\n  talker:\n    image: ${IMG()}\n    command: sh -c 'echo hello; trap "exit 0" TERM; while :; do sleep 0.2; done'\n`,
    );
    const p = berthAsync(['compose', 'up'], { cwd: dir });
    await until(
      'the log line',
      () => (/talker-1 +\| hello/.test(p.stdout) ? true : undefined),
      60000,
    );
    p.child.kill('SIGINT');
    const r = await p.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /Gracefully stopping/);
    assert.match(compose(['ps', '-a', '--format', '{{.State}}']).stdout, /^exited$/m);
  });
});
