import assert from 'node:assert/strict';
import { chainId, chainIds } from '../../../src/image/chain.js';

describe('image/chain', () => {
  // lab/multi's diff IDs and the snapshot names containerd gave them (checked with ctr).
  const diffs = [
    'sha256:129ce2c0919b29ec4b9d87311e079ab4e179c5242ba96ec8149470e792b9f397',
    'sha256:cc8ddd30b46d4d8b01891e7c6b53cc482f553ed3cd7fa22a958b5b24a87c3f9e',
    'sha256:71d5d39a037d72ccd0eaaa2c6de0444f34050e25eb1e0c98727fc500ae9c501d',
  ];

  it('the first chain ID is the first diff ID, each next one hashes "<prev> <diff>"', () => {
    assert.deepEqual(chainIds(diffs), [
      diffs[0],
      'sha256:dabcc25be0c7436ac0144f787c87cfbf76a55c8d88220893b204898c70409257',
      'sha256:ab932c560071e9ed5aaf19f094ebf095ebb1c37fd191a8f1b510eaa4d8639b57',
    ]);
    assert.equal(
      chainId(diffs),
      'sha256:ab932c560071e9ed5aaf19f094ebf095ebb1c37fd191a8f1b510eaa4d8639b57',
    );
  });

  it('no layers, no chain', () => {
    assert.deepEqual(chainIds([]), []);
    assert.equal(chainId([]), '');
  });
});
