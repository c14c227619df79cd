import assert from 'node:assert/strict';
import {
  formatProgress,
  layerId,
  PlainReporter,
  reporterFor,
  silentReporter,
  TtyReporter,
} from '../../../src/image/progress.js';
import { pullingFromLine } from '../../../src/image/pull.js';
import { parseDockerRef } from '../../../src/registry/reference.js';

class Sink {
  text = '';
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

describe('image/progress', () => {
  it("layer IDs are the blob digest's first 12 hex digits", () => {
    assert.equal(
      layerId('sha256:56e400c22bf0aa8f5e17c6ae1bbbfc8c5d2c8d0e1b1e7b3f1c7a0a0a0a0a0a0a'),
      '56e400c22bf0',
    );
  });

  it('the header names the tag (or digest) and the repository path', () => {
    assert.equal(
      pullingFromLine(parseDockerRef('127.0.0.1:5000/lab/busybox')),
      'latest: Pulling from lab/busybox',
    );
    assert.equal(
      pullingFromLine(parseDockerRef('busybox:1.36')),
      '1.36: Pulling from library/busybox',
    );
    const d = `sha256:${'a'.repeat(64)}`;
    assert.equal(
      pullingFromLine(parseDockerRef(`busybox@${d}`)),
      `${d}: Pulling from library/busybox`,
    );
  });

  it("plain output: one line per status change, no progress-only statuses (Docker's non-TTY form)", () => {
    const out = new Sink();
    const r = new PlainReporter(out as unknown as NodeJS.WritableStream);
    r.line('latest: Pulling from lab/busybox');
    r.layer('56e400c22bf0', 'Pulling fs layer');
    r.layer('56e400c22bf0', 'Downloading', { current: 10, total: 100 });
    r.layer('56e400c22bf0', 'Downloading', { current: 50, total: 100 });
    r.layer('56e400c22bf0', 'Verifying Checksum');
    r.layer('56e400c22bf0', 'Verifying Checksum');
    r.layer('56e400c22bf0', 'Download complete');
    r.layer('56e400c22bf0', 'Extracting');
    r.layer('56e400c22bf0', 'Pull complete');
    r.end();
    assert.equal(
      out.text,
      'latest: Pulling from lab/busybox\n56e400c22bf0: Pulling fs layer\n56e400c22bf0: Verifying Checksum\n' +
        '56e400c22bf0: Download complete\n56e400c22bf0: Pull complete\n',
    );
  });

  it('progress text: a 50-wide bar only on terminals wider than 110 columns, then %8v/%v', () => {
    assert.equal(
      formatProgress({ current: 3_167_000, total: 52_440_000 }, 130),
      '[===>                                               ]  3.167MB/52.44MB',
    );
    assert.equal(
      formatProgress({ current: 52_440_000, total: 52_440_000 }, 130),
      `[${'='.repeat(50)}>]  52.44MB/52.44MB`,
    );
    assert.equal(formatProgress({ current: 1000, total: 2000 }, 80), '     1kB/2kB');
  });

  it('terminal output redraws a layer in place with cursor movements', () => {
    const out = new Sink();
    out.columns = 80;
    const r = new TtyReporter(out as unknown as NodeJS.WritableStream, 0);
    r.layer('aaaaaaaaaaaa', 'Pulling fs layer');
    r.layer('bbbbbbbbbbbb', 'Pulling fs layer');
    out.text = '';
    r.layer('aaaaaaaaaaaa', 'Downloading', { current: 1000, total: 2000 });
    assert.equal(out.text, '\x1b[2A\x1b[2K\raaaaaaaaaaaa: Downloading      1kB/2kB\x1b[2B\r');
    out.text = '';
    r.layer('bbbbbbbbbbbb', 'Pull complete');
    assert.equal(out.text, '\x1b[1A\x1b[2K\rbbbbbbbbbbbb: Pull complete\x1b[1B\r');
  });

  it('picks the renderer from the stream: quiet, terminal or plain', () => {
    const tty = new Sink();
    tty.isTTY = true;
    assert.equal(reporterFor(tty as unknown as NodeJS.WritableStream, true), silentReporter);
    assert.ok(reporterFor(tty as unknown as NodeJS.WritableStream, false) instanceof TtyReporter);
    assert.ok(
      reporterFor(new Sink() as unknown as NodeJS.WritableStream, false) instanceof PlainReporter,
    );
  });
});
