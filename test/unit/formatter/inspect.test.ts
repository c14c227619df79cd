import assert from 'node:assert/strict';

import { asGoMap } from '../../../src/formatter/gofmt.js';
import { compileInspect, InspectError } from '../../../src/formatter/inspect.js';

const renderInspect = (objects: readonly unknown[], format?: string): string =>
  compileInspect(format)(objects);

const ctr = {
  Id: '755b9dad1654cf3848b23c50706348893cf71e0ab5967ec40dbcc4255aff3127',
  Args: [] as string[],
  State: { Status: 'running', Running: true, Pid: 4242, ExitCode: 0, Health: null },
  Name: '/lab-running',
  Config: { Env: ['PATH=/bin'], Cmd: ['sleep', '3600'], Labels: asGoMap({ b: '2', a: '1' }) },
  NetworkSettings: { Ports: {} },
};

function inspectError(fn: () => unknown): InspectError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InspectError, String(e));
    return e;
  }
  assert.fail('expected an InspectError');
}

describe('formatter/inspect', () => {
  describe('without --format', () => {
    it('prints [] for no objects, as `docker inspect lab-nosuch` does', () => {
      assert.equal(renderInspect([]), '[]\n');
    });
    it('prints a 4-space indented array in the given key order', () => {
      assert.equal(
        renderInspect([
          { Id: 'abc', Args: [], State: { Running: false, ExitCode: 3 }, Labels: {}, Html: '<&>' },
        ]),
        [
          '[',
          '    {',
          '        "Id": "abc",',
          '        "Args": [],',
          '        "State": {',
          '            "Running": false,',
          '            "ExitCode": 3',
          '        },',
          '        "Labels": {},',
          '        "Html": "<&>"',
          '    }',
          ']',
          '',
        ].join('\n'),
      );
    });
    it('separates several objects', () => {
      assert.equal(
        renderInspect([{ A: 1 }, { A: 2 }]),
        '[\n    {\n        "A": 1\n    },\n    {\n        "A": 2\n    }\n]\n',
      );
    });
    it('prints compact JSON for --format json', () => {
      assert.equal(renderInspect([{ A: 1 }, { B: [1] }], 'json'), '[{"A":1},{"B":[1]}]\n');
      assert.equal(renderInspect([], 'json'), '[]\n');
    });
  });

  describe('with a template', () => {
    it('renders one line per object', () => {
      assert.equal(
        renderInspect([ctr, { ...ctr, Name: '/other' }], '{{.Name}}'),
        '/lab-running\n/other\n',
      );
    });
    it('supports the common inspect idioms', () => {
      assert.equal(renderInspect([ctr], '{{.State.Pid}} {{.State.Running}}'), '4242 true\n');
      assert.equal(renderInspect([ctr], '{{json .Config.Cmd}}'), '["sleep","3600"]\n');
      assert.equal(
        renderInspect([ctr], '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}'),
        'a=1;b=2;\n',
      );
      assert.equal(renderInspect([ctr], '{{index .Config.Labels "b"}}'), '2\n');
      assert.equal(renderInspect([ctr], '{{.Config.Labels.missing}}'), '<no value>\n');
      assert.equal(renderInspect([ctr], '{{if eq .State.ExitCode 0}}ok{{end}}'), 'ok\n');
    });
    it('prints an empty line when there is nothing to render', () => {
      assert.equal(renderInspect([], '{{.Id}}'), '\n');
    });
    it('reports unknown fields with the raw-map wording Docker ends with', () => {
      const e = inspectError(() => renderInspect([ctr], '{{.Nope}}'));
      assert.equal(e.exitCode, 1);
      assert.equal(e.phase, 'exec');
      assert.equal(
        e.message,
        'template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"',
      );
      assert.equal(e.partialOutput, '\n');
    });
    it('reports nil pointers like Docker', () => {
      const e = inspectError(() => renderInspect([ctr], '{{.State.Health.Status}}'));
      assert.equal(
        e.message,
        'template parsing error: template: :1:2: executing "" at <.State.Health.Status>: nil pointer evaluating interface {}.Status',
      );
    });
    it('keeps the output of the objects that rendered and joins the errors', () => {
      const e = inspectError(() => renderInspect([{ A: 'ok' }, {}, { A: 'ok2' }, {}], '{{.A}}'));
      assert.equal(e.partialOutput, 'ok\nok2\n');
      assert.equal(e.message.split('\n').length, 2);
    });
    it('fails with exit code 64 on a template that does not parse', () => {
      const e = inspectError(() => renderInspect([ctr], '{{.Id'));
      assert.equal(e.exitCode, 64);
      assert.equal(e.phase, 'parse');
      assert.equal(e.message, 'template parsing error: template: :1: unclosed action');
    });
    it('refuses a bad template before it is given any object', () => {
      const e = inspectError(() => compileInspect('{{.Id'));
      assert.equal(e.exitCode, 64);
      assert.equal(compileInspect('{{.Id}}')([{ Id: 'x' }]), 'x\n');
    });
  });
});
