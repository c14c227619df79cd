import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, normaliseAddress, validateNamespace } from '../../../src/config/index.js';
import { UsageError } from '../../../src/errors.js';

function toml(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-cfg-')), 'berth.toml');
  writeFileSync(file, text);
  return file;
}

describe('config', () => {
  it('uses defaults when nothing is set', () => {
    const c = loadConfig({}, { BERTH_TOML: '/nonexistent/berth.toml', HOME: '/nonexistent' });
    assert.equal(c.settings.address, '/run/containerd/containerd.sock');
    assert.equal(c.settings.namespace, 'default');
    assert.equal(c.settings.snapshotter, 'overlayfs');
    assert.equal(c.settings.dataRoot, '/var/lib/berth');
    assert.equal(c.sources.namespace, 'default');
    assert.equal(c.file, undefined);
  });

  it('flag > env > file > default, key by key', () => {
    const file = toml(
      'namespace = "f"\nsnapshotter = "native"\ndata_root = "/d"\naddress = "/f.sock"\n',
    );
    const c = loadConfig(
      { namespace: 'flag' },
      { BERTH_TOML: file, CONTAINERD_NAMESPACE: 'env', CONTAINERD_ADDRESS: '/env.sock' },
    );
    assert.deepEqual(
      [c.settings.namespace, c.sources.namespace, c.settings.address, c.sources.address],
      ['flag', 'flag', '/env.sock', 'env'],
    );
    assert.deepEqual([c.settings.snapshotter, c.sources.snapshotter], ['native', 'file']);
    assert.deepEqual([c.settings.dataRoot, c.sources.dataRoot], ['/d', 'file']);
    assert.equal(c.file, file);
  });

  it('reads a nerdctl.toml when berth has none', function () {
    const nerdctl = toml('namespace = "from-nerdctl"\n');
    const c = loadConfig(
      {},
      { NERDCTL_TOML: nerdctl, XDG_CONFIG_HOME: '/nonexistent', HOME: '/nonexistent' },
    );
    // As root the own file is /etc/berth/berth.toml; the test is only meaningful when it is absent.
    if (c.file !== nerdctl) this.skip();
    assert.equal(c.settings.namespace, 'from-nerdctl');
  });

  it('names file, line and column on a syntax error', () => {
    const file = toml('namespace = "ok"\naddress = \n');
    assert.throws(
      () => loadConfig({}, { BERTH_TOML: file }),
      (e: unknown) =>
        e instanceof UsageError &&
        e.exitCode === 125 &&
        e.message.startsWith(`invalid config file ${file}: line 2, column`),
    );
  });

  it('warns on an unknown key with the closest known one', () => {
    const c = loadConfig({}, { BERTH_TOML: toml('snapshoter = "native"\n') });
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0], /unknown key "snapshoter" .*did you mean "snapshotter"/);
    assert.equal(c.settings.snapshotter, 'overlayfs');
  });

  it('rejects wrongly typed values', () => {
    assert.throws(
      () => loadConfig({}, { BERTH_TOML: toml('debug = "yes"\n') }),
      /key "debug" must be a boolean/,
    );
  });

  it('accepts unix:// addresses and refuses other schemes', () => {
    assert.equal(normaliseAddress('unix:///run/x.sock'), '/run/x.sock');
    assert.throws(() => normaliseAddress('tcp://1.2.3.4:1'), UsageError);
  });

  it('validates namespace names like containerd', () => {
    validateNamespace('k8s.io');
    validateNamespace('a-b_c.d');
    for (const bad of ['', 'a/b', '-a', 'a..b', 'x'.repeat(77)]) {
      assert.throws(() => validateNamespace(bad), UsageError, bad);
    }
  });
});
