/** The per-object rows of src/formatter/ rendered as their commands render them: exact text. */
import { strict as assert } from 'node:assert';
import { renderList } from '../../../src/formatter/format.js';
import {
  HISTORY_DEFAULT_FORMAT,
  HISTORY_HEADERS,
  HistoryRow,
} from '../../../src/formatter/history.js';
import { IMAGES_DEFAULT_FORMAT, IMAGES_HEADERS, ImageRow } from '../../../src/formatter/image.js';
import {
  NETWORK_LS_HEADERS,
  NETWORK_LS_TABLE,
  networkRow,
} from '../../../src/formatter/network.js';
import { STATS_DEFAULT_FORMAT, STATS_HEADERS, statsRowOf } from '../../../src/formatter/stats.js';
import { truncateId } from '../../../src/formatter/text.js';

const ID = `sha256:${'c'.repeat(64)}`;

describe('formatter rows', () => {
  it('truncateId is docker/cli TruncateID: the algorithm goes, 12 characters stay', () => {
    assert.equal(truncateId(ID), 'cccccccccccc');
    assert.equal(truncateId('d'.repeat(64)), 'dddddddddddd');
    assert.equal(truncateId(ID, true), ID);
  });

  it('images', () => {
    const rows = [new ImageRow({ id: ID, size: 2_013_000 }, 'busybox', 'latest', '<none>', true)];
    assert.equal(
      renderList(rows, { defaultTableFormat: IMAGES_DEFAULT_FORMAT, headers: IMAGES_HEADERS }),
      'REPOSITORY   TAG       IMAGE ID       CREATED   SIZE\n' +
        'busybox      latest    cccccccccccc   N/A       2.01MB\n',
    );
  });

  it('history', () => {
    const rows = [
      new HistoryRow(
        { id: ID, createdBy: `/bin/sh -c ${'x'.repeat(60)}`, size: 1000, comment: 'c' },
        { human: true, noTrunc: false },
      ),
      new HistoryRow(
        { id: '<missing>', createdBy: 'ADD\tfile', size: 0, comment: '' },
        { human: true, noTrunc: false },
      ),
    ];
    assert.equal(
      renderList(rows, { defaultTableFormat: HISTORY_DEFAULT_FORMAT, headers: HISTORY_HEADERS }),
      'IMAGE          CREATED   CREATED BY                                      SIZE      COMMENT\n' +
        `cccccccccccc   N/A       /bin/sh -c ${'x'.repeat(33)}…   1kB       c\n` +
        '<missing>      N/A       ADD file                                        0B        \n',
    );
  });

  it('network ls', () => {
    const rows = [
      networkRow(
        {
          id: 'e'.repeat(64),
          name: 'n1',
          driver: 'bridge',
          internal: false,
          labels: {},
          created: '',
        },
        false,
      ),
    ];
    assert.equal(
      renderList(rows, { defaultTableFormat: NETWORK_LS_TABLE, headers: NETWORK_LS_HEADERS }),
      'NETWORK ID     NAME      DRIVER    SCOPE\neeeeeeeeeeee   n1        bridge    local\n',
    );
  });

  it('stats', () => {
    const rows = [
      statsRowOf(
        {
          ref: 'web',
          id: 'f'.repeat(64),
          name: 'web',
          cpuPercentage: 1.234,
          memUsage: 1024 * 1024,
          memLimit: 1024 * 1024 * 1024,
          memPercentage: 0.09765625,
          blkRead: 0,
          blkWrite: 4096,
          netRx: 1500,
          netTx: 0,
          pids: 3,
        },
        false,
      ),
    ];
    assert.equal(
      renderList(rows, { defaultTableFormat: STATS_DEFAULT_FORMAT, headers: STATS_HEADERS }),
      'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O      BLOCK I/O    PIDS\n' +
        'ffffffffffff   web       1.23%     1MiB / 1GiB         0.10%     1.5kB / 0B   0B / 4.1kB   3\n',
    );
  });
});
