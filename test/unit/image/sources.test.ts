import { strict as assert } from 'node:assert';
import { distributionSourceKey, mergeSources } from '../../../src/image/content.js';

describe('distribution.source labels', () => {
  it('keeps every repository a blob came from, sorted and once', () => {
    assert.equal(
      distributionSourceKey('127.0.0.1:5000'),
      'containerd.io/distribution.source.127.0.0.1:5000',
    );
    assert.equal(mergeSources(undefined, 'lab/a'), 'lab/a');
    assert.equal(mergeSources('lab/b,lab/c', 'lab/a'), 'lab/a,lab/b,lab/c');
    assert.equal(mergeSources('lab/a,lab/b', 'lab/a'), 'lab/a,lab/b');
  });
});
