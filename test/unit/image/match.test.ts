import assert from 'node:assert/strict';
import { pathMatch } from '../../../src/image/match.js';

describe('image/match (Go path.Match)', () => {
  const cases: [string, string, boolean][] = [
    ['busybox', 'busybox', true],
    ['busy*', 'busybox', true],
    ['*', 'busybox:latest', true],
    ['*', 'lab/busybox', false],
    ['*/busybox', 'lab/busybox', true],
    ['*/lab/b*', '127.0.0.1:5000/lab/busybox', true],
    ['*/lab/b*', '127.0.0.1:5000/lab/multi', false],
    ['busybox:?atest', 'busybox:latest', true],
    ['busybox:[a-m]atest', 'busybox:latest', true],
    ['busybox:[^l]atest', 'busybox:latest', false],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['x.y', 'xzy', false],
    ['[', 'x', false],
    ['a[', 'a', false],
  ];
  for (const [pattern, name, want] of cases) {
    it(`${JSON.stringify(pattern)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(name)}`, () => {
      assert.equal(pathMatch(pattern, name), want);
    });
  }
});
