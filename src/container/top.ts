/**
 * `top` and `compose top`: like dockerd, run the host's `ps` (default `-ef`) and keep the rows whose PID belongs to
 * the container (Tasks.ListPids).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '../containerd/client.js';
import { DaemonError } from '../errors.js';
import type { Container } from './resolve.js';
import { getTask } from './state.js';

const run = promisify(execFile);

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** moby's parsePSOutput: find the PID column, split rows into that many fields (CMD keeps spaces). */
export function parsePsOutput(output: string, pids: ReadonlySet<number>): TopResult {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new DaemonError('ps produced no output');
  const titles = lines[0].trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw new DaemonError("Couldn't find PID field in ps output");
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < titles.length) continue;
    const pid = Number(fields[pidIndex]);
    if (!pids.has(pid)) continue;
    const row = fields.slice(0, titles.length - 1);
    row.push(fields.slice(titles.length - 1).join(' '));
    processes.push(row);
  }
  return { Titles: titles, Processes: processes };
}

export async function topContainer(
  client: Client,
  container: Container,
  psArgs: readonly string[],
): Promise<TopResult> {
  const task = await getTask(client, container.id);
  const status = task ? String(task.status) : '';
  if (status !== 'RUNNING' && status !== 'PAUSED') {
    throw new DaemonError(`Container ${container.id} is not running`);
  }
  const { processes } = await client.tasks.listPids({ container_id: container.id });
  const pids = new Set(processes.map((p) => p.pid));
  const args = psArgs.length > 0 ? [...psArgs] : ['-ef'];
  let stdout: string;
  try {
    ({ stdout } = await run('ps', args, { maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new DaemonError(`ps: ${(e.stderr ?? e.message).trim()}`);
  }
  return parsePsOutput(stdout, pids);
}
