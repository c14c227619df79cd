import assert from 'node:assert/strict';
import {
  DockerfileError,
  parseDockerfile,
  parseJsonArray,
  parseNameValues,
  splitWords,
} from '../../../src/build/dockerfile.js';
import { globToRegExp } from '../../../src/build/context.js';

describe('build/dockerfile: parser glue over dockerfile-ast', () => {
  it('splits meta ARGs, stages, names, lines and original text (continuations joined)', () => {
    const df = parseDockerfile(
      [
        'ARG BASE=busybox',
        '# a comment',
        'FROM ${BASE} AS Build',
        'RUN echo a \\',
        '  # comment inside',
        '  && echo "b c"',
        'COPY --from=build --chown=1:2 a* /x/',
        'from scratch',
        'CMD ["sh"]',
      ].join('\n'),
    );
    assert.equal(df.metaArgs.length, 1);
    assert.equal(df.metaArgs[0]!.original, 'ARG BASE=busybox');
    assert.equal(df.stages.length, 2);
    const [s0, s1] = df.stages;
    assert.equal(s0!.name, 'build');
    assert.equal(s0!.base, '${BASE}');
    assert.equal(s0!.from.line, 3);
    const run = s0!.instructions[0]!;
    assert.equal(run.keyword, 'RUN');
    assert.equal(run.line, 4);
    assert.equal(run.original, 'RUN echo a   && echo "b c"');
    assert.equal(run.args, 'echo a   && echo "b c"');
    const copy = s0!.instructions[1]!;
    assert.deepEqual(Object.fromEntries(copy.flags), { from: 'build', chown: '1:2' });
    assert.equal(copy.args, 'a* /x/');
    assert.equal(s1!.base, 'scratch');
    assert.equal(s1!.instructions[0]!.keyword, 'CMD');
  });

  it('honours the escape directive', () => {
    const df = parseDockerfile('# escape=`\nFROM x\nRUN echo a `\n  b\n');
    assert.equal(df.escape, '`');
    assert.equal(df.stages[0]!.instructions[0]!.original, 'RUN echo a   b');
  });

  it('names the file and line of an unknown instruction', () => {
    assert.throws(
      () => parseDockerfile('FROM x\nRUN true\nFOOBAR x\n', 'ctx/Dockerfile.dev'),
      (err: Error) =>
        err instanceof DockerfileError &&
        err.message === 'ctx/Dockerfile.dev:3: unknown instruction: FOOBAR',
    );
  });

  it('refuses BuildKit-only syntax with one clear line', () => {
    for (const [text, what] of [
      ['FROM x\nRUN --mount=type=cache,target=/c true\n', 'RUN --mount'],
      ['FROM x\nCOPY --chmod=755 a /a\n', 'COPY --chmod'],
      ['FROM x\nCOPY --link a /a\n', 'COPY --link'],
      ['FROM x\nRUN <<EOT\necho hi\nEOT\n', 'heredoc'],
    ] as const) {
      assert.throws(
        () => parseDockerfile(text),
        (err: Error) =>
          err.message.includes(what) &&
          err.message.includes('not supported') &&
          !err.message.includes('\n'),
        text,
      );
    }
  });

  it('needs a FROM, and ARG is the only instruction allowed before it', () => {
    assert.throws(() => parseDockerfile('ARG x\n'), /no FROM/);
    assert.throws(() => parseDockerfile('RUN true\nFROM x\n'), /Dockerfile:1: no build stage/);
  });

  it('tells exec form from shell form as Docker does', () => {
    assert.deepEqual(parseJsonArray('["a", "b c"]'), ['a', 'b c']);
    assert.equal(parseJsonArray('[not json]'), undefined);
    assert.equal(parseJsonArray('echo ["a"]'), undefined);
    assert.equal(parseJsonArray('[1, 2]'), undefined);
  });

  it('reads ENV/LABEL pairs in both forms, keeping quotes for the expansion', () => {
    const ins = (args: string) =>
      ({ keyword: 'ENV', original: '', line: 1, flags: new Map(), args }) as const;
    assert.deepEqual(parseNameValues(ins('A=1 B="x y" C=a\\ b')), [
      { key: 'A', value: '1' },
      { key: 'B', value: '"x y"' },
      { key: 'C', value: 'a\\ b' },
    ]);
    assert.deepEqual(parseNameValues(ins('KEY value with spaces')), [
      { key: 'KEY', value: 'value with spaces' },
    ]);
    assert.deepEqual(splitWords(`a 'b c' "d e"`), ['a', "'b c'", '"d e"']);
  });

  it('matches COPY globs like Go filepath.Match (no crossing /)', () => {
    const re = globToRegExp('src/*.ts');
    assert.ok(re.test('src/a.ts'));
    assert.ok(!re.test('src/sub/a.ts'));
    assert.ok(globToRegExp('a?[0-9]').test('ab7'));
    assert.ok(!globToRegExp('a[!0-9]').test('a7'));
  });
});
