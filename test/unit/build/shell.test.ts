import assert from 'node:assert/strict';
import { processWord, processWords, ShellExpansionError } from '../../../src/build/shell.js';

// Cases follow BuildKit's shell lexer (frontend/dockerfile/shell/envVarTest).
describe('build/shell: word expansion', () => {
  const env = new Map([
    ['PWD', '/home'],
    ['SHELL', 'bash'],
    ['KOREAN', '한국어'],
    ['EMPTY', ''],
    ['SPACED', 'a  b'],
    ['FILE', 'archive.tar.gz'],
  ]);
  const cases: [string, string][] = [
    ['hello', 'hello'],
    ['he\'ll\'"o"', 'hello'],
    ['"hello"', 'hello'],
    ["'hello'", 'hello'],
    ['\\$PWD', '$PWD'],
    ['"\\$PWD"', '$PWD'],
    ["'$PWD'", '$PWD'],
    ['$PWD', '/home'],
    ['${PWD}', '/home'],
    ['"${PWD}"', '/home'],
    ['x${PWD}y', 'x/homey'],
    ['$KOREAN', '한국어'],
    ['${UNSET}', ''],
    ['$UNSET', ''],
    ['${UNSET:-default}', 'default'],
    ['${EMPTY:-default}', 'default'],
    ['${EMPTY-default}', ''],
    ['${UNSET-default}', 'default'],
    ['${PWD:-default}', '/home'],
    ['${PWD:+alt}', 'alt'],
    ['${UNSET:+alt}', ''],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET:-${PWD}/x}', '/home/x'],
    ['"\\x"', '\\x'],
    ['\\x', 'x'],
    ['$', '$'],
    ['a$', 'a$'],
    ['${FILE%.gz}', 'archive.tar'],
    ['${FILE%%.*}', 'archive'],
    ['${FILE#*.}', 'tar.gz'],
    ['${FILE##*.}', 'gz'],
    ['"a  b"', 'a  b'],
  ];
  for (const [word, want] of cases) {
    it(`${word} -> ${JSON.stringify(want)}`, () => assert.equal(processWord(word, env), want));
  }

  it('uses the escape directive character instead of \\', () => {
    assert.equal(processWord('`$PWD', env, '`'), '$PWD');
    assert.equal(processWord('C:\\dir', env, '`'), 'C:\\dir');
  });

  it('${VAR:?msg} fails with the message when unset or empty', () => {
    assert.throws(() => processWord('${UNSET:?need it}', env), ShellExpansionError);
    assert.throws(() => processWord('${EMPTY:?need it}', env), /EMPTY: need it/);
    assert.equal(processWord('${PWD:?x}', env), '/home');
  });

  it('refuses unterminated quotes and braces', () => {
    assert.throws(() => processWord('"abc', env), /double-quote/);
    assert.throws(() => processWord("'abc", env), /single-quote/);
    assert.throws(() => processWord('${PWD', env), /missing '}'/);
  });

  it('processWords splits unquoted text and unquoted expansions, not quoted ones', () => {
    assert.deepEqual(processWords('a b  c', env), ['a', 'b', 'c']);
    assert.deepEqual(processWords('$SPACED x', env), ['a', 'b', 'x']);
    assert.deepEqual(processWords('"$SPACED" x', env), ['a  b', 'x']);
    assert.deepEqual(processWords('"" x', env), ['', 'x']);
    assert.deepEqual(processWords('$UNSET x', env), ['x']);
  });
});
