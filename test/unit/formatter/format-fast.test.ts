/**
 * renderList with the fast paths: `ps`'s default table, spelled out, and random lists rendered
 * both by renderList and by the way it rendered them before (a funcs object and json closure per
 * row, the generic template executor, the full tabwriter algorithm).
 */
import assert from 'node:assert/strict';

import { PS_DEFAULT_FORMAT, PS_HEADERS } from '../../../src/formatter/container.js';
import {
  isTableFormat,
  renderList,
  resolveFormat,
  templateSource,
  type RenderListOptions,
} from '../../../src/formatter/format.js';
import { marshalJSON } from '../../../src/formatter/gojson.js';
import {
  DOCKER_TABWRITER,
  tabwriteFast,
  tabwriteGeneric,
} from '../../../src/formatter/tabwriter.js';
import {
  compileTemplate,
  HEADER_FUNCS,
  TemplateError,
  type TemplateFunc,
} from '../../../src/formatter/template.js';
import { Prng } from './prng.js';

/** ps's fields as getters on the prototype, the shape of ContainerRow. */
class PsRow {
  constructor(private readonly f: Readonly<Record<string, string>>) {}
  get ID(): string {
    return this.f.ID!;
  }
  get Image(): string {
    return this.f.Image!;
  }
  get Command(): string {
    return this.f.Command!;
  }
  get RunningFor(): string {
    return this.f.RunningFor!;
  }
  get Status(): string {
    return this.f.Status!;
  }
  get Ports(): string {
    return this.f.Ports!;
  }
  get Names(): string {
    return this.f.Names!;
  }
  Label(name: unknown): string {
    return `label-${String(name)}`;
  }
  toJSON(): Readonly<Record<string, string>> {
    return this.f;
  }
}

const RUNNING = {
  ID: 'a1b2c3d4e5f6',
  Image: '127.0.0.1:5000/lab/busybox:latest',
  Command: '"sleep 1"',
  RunningFor: 'About a minute ago',
  Status: 'Up About a minute',
  Ports: '0.0.0.0:8080->80/tcp',
  Names: 'bench-0001',
};
const EXITED = {
  ID: '0123456789ab',
  Image: 'nginx',
  Command: '"/docker-entrypoint.…"',
  RunningFor: '2 hours ago',
  Status: 'Exited (0) 3 minutes ago',
  Ports: '',
  Names: 'web',
};
const CREATED = {
  ID: 'ffffffffffff',
  Image: 'alpine:3.20',
  Command: '"sh"',
  RunningFor: '5 seconds ago',
  Status: 'Created',
  Ports: '',
  Names: '日本-db',
};

/** What src/commands/ps.ts passes for `berth ps [-a] [-q] [--format F]`. */
function ps(rows: readonly unknown[], format = '', quiet = false): string {
  return renderList(rows, {
    format,
    quiet,
    quietField: 'ID',
    defaultTableFormat: PS_DEFAULT_FORMAT,
    headers: PS_HEADERS,
  });
}

/** renderList as it was before the fast paths, for the differential test. */
function renderListBefore(rows: readonly unknown[], opts: RenderListOptions): string {
  const wrap = (err: unknown): unknown =>
    err instanceof TemplateError
      ? new TemplateError(`template parsing error: ${err.message}`, err.phase, err.partialOutput)
      : err;
  const format = resolveFormat(opts);
  const tmpl = compileTemplate(templateSource(format), { funcs: opts.funcs });
  let body = '';
  for (const row of rows) {
    const funcs: Record<string, TemplateFunc> = { ...opts.funcs };
    if ((opts.sortJsonKeys ?? true) && !funcs.json) {
      funcs.json = (v: unknown): unknown => {
        try {
          return marshalJSON(v, { sortKeys: v === row });
        } catch {
          return '';
        }
      };
    }
    try {
      body += tmpl.executeGeneric(row, { funcs }) + '\n';
    } catch (err) {
      throw wrap(err);
    }
  }
  if (!isTableFormat(format)) return body;
  let header: string;
  try {
    header = tmpl.executeGeneric(new Map(Object.entries(opts.headers)), { funcs: HEADER_FUNCS });
  } catch (err) {
    header = err instanceof TemplateError ? err.partialOutput : '';
  }
  return tabwriteGeneric(`${header}\n${body}`, DOCKER_TABWRITER);
}

function outcome(run: () => string): unknown {
  try {
    return { ok: run() };
  } catch (e) {
    if (e instanceof TemplateError) {
      return { templateError: e.message, phase: e.phase, partial: e.partialOutput };
    }
    return { error: String(e) };
  }
}

describe('formatter/format fast paths', () => {
  describe("ps's default table", () => {
    it('is a template and a table the fast paths take', () => {
      assert.equal(compileTemplate(templateSource(PS_DEFAULT_FORMAT)).hasFastPath, true);
      const body = 'CONTAINER ID\tIMAGE\tNAMES\nx\ty\tz\n';
      assert.notEqual(tabwriteFast(body, DOCKER_TABWRITER), undefined);
    });

    it('lays out running, exited and created containers', () => {
      assert.equal(
        ps([RUNNING, EXITED, CREATED].map((f) => new PsRow(f))),
        [
          'CONTAINER ID   IMAGE                               COMMAND                  CREATED              STATUS                     PORTS                  NAMES',
          'a1b2c3d4e5f6   127.0.0.1:5000/lab/busybox:latest   "sleep 1"                About a minute ago   Up About a minute          0.0.0.0:8080->80/tcp   bench-0001',
          '0123456789ab   nginx                               "/docker-entrypoint.…"   2 hours ago          Exited (0) 3 minutes ago                          web',
          'ffffffffffff   alpine:3.20                         "sh"                     5 seconds ago        Created                                           日本-db',
          '',
        ].join('\n'),
      );
    });

    it('gives plain-object rows the same table', () => {
      const rows = [RUNNING, EXITED, CREATED];
      assert.equal(ps(rows), ps(rows.map((f) => new PsRow(f))));
    });

    it('measures wide characters in a column in terminal columns', () => {
      assert.equal(
        ps([new PsRow({ ...RUNNING, Image: 'ｗｉｄｅ/image', Names: '日本語' })]),
        [
          'CONTAINER ID   IMAGE            COMMAND     CREATED              STATUS              PORTS                  NAMES',
          'a1b2c3d4e5f6   ｗｉｄｅ/image   "sleep 1"   About a minute ago   Up About a minute   0.0.0.0:8080->80/tcp   日本語',
          '',
        ].join('\n'),
      );
    });

    it('prints the header alone, at minimum widths, without containers', () => {
      assert.equal(
        ps([]),
        'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n',
      );
    });

    it('lays out a value holding a tab as the full algorithm does', () => {
      assert.equal(
        ps([new PsRow(RUNNING), new PsRow({ ...EXITED, Names: 'a\tb' })]),
        [
          'CONTAINER ID   IMAGE                               COMMAND                  CREATED              STATUS                     PORTS                  NAMES',
          'a1b2c3d4e5f6   127.0.0.1:5000/lab/busybox:latest   "sleep 1"                About a minute ago   Up About a minute          0.0.0.0:8080->80/tcp   bench-0001',
          '0123456789ab   nginx                               "/docker-entrypoint.…"   2 hours ago          Exited (0) 3 minutes ago                          a         b',
          '',
        ].join('\n'),
      );
    });

    it('prints IDs only with --quiet', () => {
      assert.equal(
        ps(
          [RUNNING, EXITED].map((f) => new PsRow(f)),
          '',
          true,
        ),
        'a1b2c3d4e5f6\n0123456789ab\n',
      );
    });

    it('reports a field the rows lack like Docker, from the first row', () => {
      assert.deepEqual(
        outcome(() => ps([new PsRow(RUNNING)], 'table {{.ID}}\t{{.Nope}}')),
        {
          templateError:
            'template parsing error: template: :1:10: executing "" at <.Nope>: can\'t evaluate field Nope in type *PsRow',
          phase: 'exec',
          partial: 'a1b2c3d4e5f6\t',
        },
      );
    });
  });

  it('renders random lists as before', () => {
    const rng = new Prng(0x11570);
    const VALUES = ['', 'x', 'bench-0042', '日本', 'a\tb', 'l1\nl2', '"sleep 1"', 'e\u0301', '\v'];
    const FORMATS = [
      '',
      'table',
      'table {{.ID}}\\t{{.Names}}',
      'table {{.ID}}\t{{.Status}}\t',
      '{{.ID}}: {{.Names}}',
      'json',
      'table {{json .}}\\t{{.ID}}',
      '{{json .L}}',
      'table {{.ID}}\\t{{.Label "x"}}\\t{{.Names}}',
      'table {{.ID}}\\t{{.L.k}}',
      'table {{.Nope}}',
      'table {{upper .Names}}\\t{{.Status}}',
      '{{.}}',
    ];
    for (let i = 0; i < 600; i++) {
      const rows: unknown[] = [];
      for (let n = rng.int(8); n > 0; n--) {
        const f: Record<string, string> = {};
        for (const k of ['ID', 'Image', 'Command', 'RunningFor', 'Status', 'Ports', 'Names']) {
          f[k] = rng.chance(0.7) ? `${k.toLowerCase()}-${rng.int(1000)}` : rng.pick(VALUES);
        }
        const kind = rng.int(3);
        if (kind === 0) rows.push(new PsRow(f));
        else if (kind === 1) rows.push({ ...f, L: { z: rng.pick(VALUES), a: 1, k: 'v' } });
        else rows.push(new Map(Object.entries(f)));
      }
      const opts: RenderListOptions = {
        format: rng.pick(FORMATS),
        quiet: rng.chance(0.1),
        quietField: rng.chance(0.5) ? 'ID' : 'Names',
        defaultTableFormat: PS_DEFAULT_FORMAT,
        headers: PS_HEADERS,
        sortJsonKeys: rng.chance(0.8),
      };
      assert.deepEqual(
        outcome(() => renderList(rows, opts)),
        outcome(() => renderListBefore(rows, opts)),
        `case ${i}: ${JSON.stringify(opts)}`,
      );
    }
  }).timeout(30_000);
});
