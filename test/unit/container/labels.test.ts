import { strict as assert } from 'node:assert';
import { encodeEmptyLabels, LABEL, withEmptyLabels } from '../../../src/labels.js';

describe('empty-valued labels', () => {
  it('are moved out of what containerd stores (it drops "" values) and shown back', () => {
    const stored = encodeEmptyLabels({ keyonly: '', a: 'b', lf2: '' });
    assert.deepEqual(stored, { a: 'b', [LABEL.emptyLabels]: '["keyonly","lf2"]' });
    assert.deepEqual(withEmptyLabels(stored), { ...stored, keyonly: '', lf2: '' });
  });

  it('adds no bookkeeping label when every value is set, and tolerates a damaged one', () => {
    assert.deepEqual(encodeEmptyLabels({ a: 'b' }), { a: 'b' });
    assert.deepEqual(withEmptyLabels(undefined), {});
    const garbage = { [LABEL.emptyLabels]: '{not json', a: 'b' };
    assert.deepEqual(withEmptyLabels(garbage), garbage);
    // A key that has a value since (another client set it) keeps that value.
    assert.deepEqual(withEmptyLabels({ [LABEL.emptyLabels]: '["a"]', a: 'set' }).a, 'set');
  });
});
