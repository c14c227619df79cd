import assert from 'node:assert/strict';

import {
  isTableFormat,
  renderList,
  resolveFormat,
  templateSource,
} from '../../../src/formatter/format.js';
import { TemplateError } from '../../../src/formatter/template.js';

const PS_HEADERS = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  RunningFor: 'CREATED',
  Status: 'STATUS',
  Ports: 'PORTS',
  Names: 'NAMES',
  Labels: 'LABELS',
};
// docker/cli's defaultContainerTableFormat, as typed in Go source (literal backslash-t).
const PS_DEFAULT =
  'table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}';

const IMAGE = '127.0.0.1:5000/lab/busybox:latest';
const ROWS = [
  {
    ID: '3ec264ae9158',
    Image: IMAGE,
    Command: '"echo created"',
    RunningFor: '2 seconds ago',
    Status: 'Created',
    Ports: '',
    Names: 'lab-created',
  },
  {
    ID: 'b337db515e03',
    Image: IMAGE,
    Command: `"sh -c 'exit 3'"`,
    RunningFor: '3 seconds ago',
    Status: 'Exited (3) 2 seconds ago',
    Ports: '',
    Names: 'lab-exited',
  },
  {
    ID: '755b9dad1654',
    Image: IMAGE,
    Command: '"sleep 3600"',
    RunningFor: '3 seconds ago',
    Status: 'Up 2 seconds',
    Ports: '',
    Names: 'lab-running',
  },
];

// Verbatim `docker ps -a` (Docker CLI 28.2.2).
const PS_A = [
  'CONTAINER ID   IMAGE                               COMMAND            CREATED         STATUS                     PORTS     NAMES',
  '3ec264ae9158   127.0.0.1:5000/lab/busybox:latest   "echo created"     2 seconds ago   Created                              lab-created',
  `b337db515e03   127.0.0.1:5000/lab/busybox:latest   "sh -c 'exit 3'"   3 seconds ago   Exited (3) 2 seconds ago             lab-exited`,
  '755b9dad1654   127.0.0.1:5000/lab/busybox:latest   "sleep 3600"       3 seconds ago   Up 2 seconds                         lab-running',
  '',
].join('\n');

const NO_TRUNC_IDS = [
  '3ec264ae9158f3076729988f2cb722f3ff450767b3948f2a75acc750a0e6d8c9',
  'b337db515e03838ead2d828a530f347b8aa7461251bafacc58a7f6297c1c91aa',
  '755b9dad1654cf3848b23c50706348893cf71e0ab5967ec40dbcc4255aff3127',
];
// Verbatim `docker ps -a --no-trunc`.
const PS_A_NO_TRUNC = [
  'CONTAINER ID                                                       IMAGE                               COMMAND            CREATED         STATUS                     PORTS     NAMES',
  '3ec264ae9158f3076729988f2cb722f3ff450767b3948f2a75acc750a0e6d8c9   127.0.0.1:5000/lab/busybox:latest   "echo created"     2 seconds ago   Created                              lab-created',
  `b337db515e03838ead2d828a530f347b8aa7461251bafacc58a7f6297c1c91aa   127.0.0.1:5000/lab/busybox:latest   "sh -c 'exit 3'"   3 seconds ago   Exited (3) 2 seconds ago             lab-exited`,
  '755b9dad1654cf3848b23c50706348893cf71e0ab5967ec40dbcc4255aff3127   127.0.0.1:5000/lab/busybox:latest   "sleep 3600"       3 seconds ago   Up 2 seconds                         lab-running',
  '',
].join('\n');

const base = { defaultTableFormat: PS_DEFAULT, headers: PS_HEADERS };

describe('formatter/format', () => {
  describe('table mode', () => {
    it('matches `docker ps -a` with the default format', () => {
      assert.equal(renderList(ROWS, base), PS_A);
    });
    it('treats "table" like the default', () => {
      assert.equal(renderList(ROWS, { ...base, format: 'table' }), PS_A);
    });
    it('matches `docker ps -a --no-trunc`', () => {
      const rows = ROWS.map((r, i) => ({ ...r, ID: NO_TRUNC_IDS[i] }));
      assert.equal(renderList(rows, base), PS_A_NO_TRUNC);
    });
    it('prints only the header when there are no rows', () => {
      assert.equal(
        renderList([], base),
        'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n',
      );
    });
    it('accepts a default without the table prefix', () => {
      const out = renderList(ROWS.slice(0, 1), {
        defaultTableFormat: '{{.ID}}\\t{{.Names}}',
        headers: PS_HEADERS,
      });
      assert.equal(out, 'CONTAINER ID   NAMES\n3ec264ae9158   lab-created\n');
    });
    it('renders a custom table with typed \\t', () => {
      const out = renderList(ROWS, { ...base, format: 'table {{.ID}}\\t{{.Status}}' });
      assert.equal(
        out,
        [
          'CONTAINER ID   STATUS',
          '3ec264ae9158   Created',
          'b337db515e03   Exited (3) 2 seconds ago',
          '755b9dad1654   Up 2 seconds',
          '',
        ].join('\n'),
      );
    });
    it('keeps header text intact through functions, like HeaderFunctions', () => {
      const out = renderList(ROWS.slice(0, 1), {
        ...base,
        format: 'table {{upper .Names}}\\t{{json .Status}}\\t{{truncate .ID 4}}',
      });
      assert.equal(out, 'NAMES         STATUS      CONTAINER ID\nLAB-CREATED   "Created"   3ec2\n');
    });
    it('prints <no value> for a header the command does not define', () => {
      const out = renderList([{ ID: 'x', Extra: 'e' }], {
        ...base,
        format: 'table {{.ID}}\\t{{.Extra}}',
      });
      assert.equal(out, 'CONTAINER ID   <no value>\nx              e\n');
    });
    it('keeps the header text written before a header error, as Docker does', () => {
      const out = renderList([{ ID: 'x', L: { k: 'v' } }], {
        ...base,
        format: 'table {{.ID}}\\t{{index .L "k"}}',
      });
      assert.equal(out, 'CONTAINER ID   \nx              v\n');
    });
  });

  describe('json mode', () => {
    it('prints one compact object per line with sorted keys, like Docker ≥23', () => {
      const out = renderList(ROWS.slice(2), { ...base, format: 'json' });
      assert.equal(
        out,
        '{"Command":"\\"sleep 3600\\"","ID":"755b9dad1654","Image":"127.0.0.1:5000/lab/busybox:latest",' +
          '"Names":"lab-running","Ports":"","RunningFor":"3 seconds ago","Status":"Up 2 seconds"}\n',
      );
    });
    it('prints nothing for no rows', () =>
      assert.equal(renderList([], { ...base, format: 'json' }), ''));
    it('does not HTML-escape', () => {
      assert.equal(renderList([{ A: '<&>' }], { ...base, format: 'json' }), '{"A":"<&>"}\n');
    });
    it('keeps the given key order for sub-values', () => {
      const out = renderList([{ L: { z: 1, a: 2 } }], { ...base, format: '{{json .L}}' });
      assert.equal(out, '{"z":1,"a":2}\n');
    });
    it('can keep row keys unsorted', () => {
      const out = renderList([{ b: 1, a: 2 }], { ...base, format: 'json', sortJsonKeys: false });
      assert.equal(out, '{"b":1,"a":2}\n');
    });
  });

  describe('raw template mode', () => {
    it('prints one line per row without a header or alignment', () => {
      const out = renderList(ROWS, { ...base, format: '{{.ID}}: {{.Names}}\\t{{.Status}}' });
      assert.equal(
        out,
        '3ec264ae9158: lab-created\tCreated\nb337db515e03: lab-exited\tExited (3) 2 seconds ago\n755b9dad1654: lab-running\tUp 2 seconds\n',
      );
    });
    it('prints nothing for no rows', () =>
      assert.equal(renderList([], { ...base, format: '{{.ID}}' }), ''));
    it('trims surrounding spaces only', () => {
      assert.equal(renderList([{ ID: 'x' }], { ...base, format: '  {{.ID}}  ' }), 'x\n');
    });
  });

  describe('quiet', () => {
    it('prints the ID field only, ignoring the format', () => {
      assert.equal(
        renderList(ROWS, { ...base, quiet: true }),
        '3ec264ae9158\nb337db515e03\n755b9dad1654\n',
      );
      assert.equal(
        renderList(ROWS, { ...base, quiet: true, format: 'table {{.Names}}' }),
        '3ec264ae9158\nb337db515e03\n755b9dad1654\n',
      );
    });
    it('uses quietField', () => {
      assert.equal(
        renderList(ROWS.slice(0, 1), { ...base, quiet: true, quietField: 'Names' }),
        'lab-created\n',
      );
    });
  });

  describe('errors', () => {
    it('wraps parse errors like docker/cli', () => {
      assert.throws(
        () => renderList(ROWS, { ...base, format: '{{.ID' }),
        (e: unknown) =>
          e instanceof TemplateError &&
          e.phase === 'parse' &&
          e.message === 'template parsing error: template: :1: unclosed action',
      );
    });
    it('wraps execution errors like docker/cli', () => {
      assert.throws(
        () => renderList(ROWS, { ...base, format: 'table {{.Nope}}' }),
        (e: unknown) =>
          e instanceof TemplateError &&
          e.phase === 'exec' &&
          e.message ===
            `template parsing error: template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type map[string]interface {}`,
      );
    });
  });

  describe('helpers', () => {
    it('resolveFormat', () => {
      assert.equal(resolveFormat({ defaultTableFormat: 'table {{.ID}}' }), 'table {{.ID}}');
      assert.equal(
        resolveFormat({ format: 'table', defaultTableFormat: '{{.ID}}' }),
        'table {{.ID}}',
      );
      assert.equal(resolveFormat({ format: '{{.X}}', defaultTableFormat: '' }), '{{.X}}');
      assert.equal(
        resolveFormat({ format: 'json', defaultTableFormat: '', quiet: true }),
        '{{.ID}}',
      );
    });
    it('templateSource', () => {
      assert.equal(templateSource('table {{.ID}}\\t{{.X}}'), '{{.ID}}\t{{.X}}');
      assert.equal(templateSource('json'), '{{json .}}');
      assert.equal(templateSource('{{.A}}\\n'), '{{.A}}\n');
    });
    it('isTableFormat', () => {
      assert.equal(isTableFormat('table'), true);
      assert.equal(isTableFormat('table {{.ID}}'), true);
      assert.equal(isTableFormat('{{.ID}}'), false);
    });
  });
});
