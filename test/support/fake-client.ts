/**
 * An in-memory containerd for unit tests of src/cmd/ and src/container/ (docker/cli's fakeClient
 * is the model): containers, tasks, leases and snapshots in maps, every call recorded in `calls`,
 * and `hooks` to make one call fail or take time. Only what the library calls is modelled; a
 * call the fake does not know throws, so a test never passes on a silently empty answer.
 */
import type { Client } from '../../src/containerd/client.js';
import {
  DeadlineExceededError,
  FailedPreconditionError,
  GrpcCode,
  NotFoundError,
} from '../../src/containerd/errors.js';
import type { Container } from '../../src/container/resolve.js';
import type { Task } from '../../src/container/state.js';

export type TaskStatus = 'CREATED' | 'RUNNING' | 'PAUSED' | 'STOPPED';

export interface FakeTask {
  pid: number;
  status: TaskStatus;
  exitStatus: number;
  exitedAt?: Date;
  /** Signals sent by Tasks.Kill, in order. */
  signals: number[];
  /** A running task ignores these signals (never exits on them); SIGKILL always works. */
  ignores: Set<number>;
}

type Hook = (request: Record<string, unknown>) => void | Promise<void>;

function timestamp(d: Date): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(d.getTime() / 1000)), nanos: (d.getTime() % 1000) * 1e6 };
}

function notFound(what: string): NotFoundError {
  return new NotFoundError(GrpcCode.NOT_FOUND, `${what}: not found`);
}

export class FakeContainerd {
  readonly containers = new Map<string, Container>();
  readonly tasks = new Map<string, FakeTask>();
  readonly leases = new Map<string, Record<string, string>>();
  readonly snapshots = new Map<string, string>();
  /** `service.method id [detail]`, in call order. */
  readonly calls: string[] = [];
  /** Run before the named call (`tasks.start`, …); throwing from one fails the call. */
  readonly hooks: Record<string, Hook> = {};
  private nextPid = 1000;
  private created = 0;

  /** A container record as berth writes one, newest last. */
  addContainer(id: string, labels: Record<string, string> = {}, image = ''): Container {
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, this.created++));
    const c: Container = {
      id,
      labels: { ...labels },
      image,
      runtime: { name: 'io.containerd.runc.v2', options: null },
      spec: null,
      snapshotter: 'overlayfs',
      snapshot_key: id,
      created_at: timestamp(at),
      updated_at: timestamp(at),
      extensions: {},
    };
    this.containers.set(id, c);
    this.snapshots.set(id, '');
    return c;
  }

  addTask(id: string, status: TaskStatus, exitStatus = 0): FakeTask {
    const t: FakeTask = {
      pid: this.nextPid++,
      status,
      exitStatus,
      signals: [],
      ignores: new Set(),
    };
    if (status === 'STOPPED') t.exitedAt = new Date();
    this.tasks.set(id, t);
    return t;
  }

  private async call(name: string, request: Record<string, unknown>, detail = ''): Promise<void> {
    const id = String(request.container_id ?? request.id ?? request.key ?? '');
    this.calls.push(`${name} ${id}${detail ? ` ${detail}` : ''}`);
    await this.hooks[name]?.(request);
  }

  private task(id: string): FakeTask {
    const t = this.tasks.get(id);
    if (!t) throw notFound(`no running task found: task ${id}`);
    return t;
  }

  private toProcess(id: string, t: FakeTask): Task {
    return {
      container_id: id,
      id,
      pid: t.pid,
      status: t.status,
      stdin: '',
      stdout: '',
      stderr: '',
      terminal: false,
      exit_status: t.exitStatus,
      exited_at: t.exitedAt ? timestamp(t.exitedAt) : null,
    } as Task;
  }

  private exit(t: FakeTask, status: number): void {
    t.status = 'STOPPED';
    t.exitStatus = status;
    t.exitedAt = new Date();
  }

  /** The fake as the Client type the library takes (only the modelled services answer). */
  client(namespace = 'default'): Client {
    const unknown = (what: string) => (): never => {
      throw new Error(`fake containerd: ${what} is not modelled`);
    };
    const containers = {
      list: async (r: { filters?: string[] }) => {
        await this.call('containers.list', {}, (r.filters ?? []).join(','));
        const named = /^labels\."([^"]+)"==(".*")$/.exec(r.filters?.[0] ?? '');
        const all = [...this.containers.values()];
        return {
          containers: named
            ? all.filter((c) => c.labels[named[1]!] === (JSON.parse(named[2]!) as string))
            : all,
        };
      },
      get: async (r: { id: string }) => {
        await this.call('containers.get', r);
        const c = this.containers.get(r.id);
        if (!c) throw notFound(`container "${r.id}"`);
        return { container: c };
      },
      update: async (r: { container: { id: string; labels?: Record<string, string> } }) => {
        await this.call(
          'containers.update',
          r.container,
          Object.keys(r.container.labels ?? {}).join(','),
        );
        const c = this.containers.get(r.container.id);
        if (!c) throw notFound(`container "${r.container.id}"`);
        Object.assign(c.labels, r.container.labels ?? {});
        return { container: c };
      },
      delete: async (r: { id: string }) => {
        await this.call('containers.delete', r);
        if (!this.containers.delete(r.id)) throw notFound(`container "${r.id}"`);
      },
    };
    const tasks = {
      get: async (r: { container_id: string }) => {
        await this.call('tasks.get', r);
        return { process: this.toProcess(r.container_id, this.task(r.container_id)) };
      },
      list: async () => {
        await this.call('tasks.list', {});
        return { tasks: [...this.tasks].map(([id, t]) => this.toProcess(id, t)) };
      },
      create: async (r: { container_id: string }) => {
        await this.call('tasks.create', r);
        if (!this.containers.has(r.container_id)) throw notFound(`container "${r.container_id}"`);
        const t = this.addTask(r.container_id, 'CREATED');
        return { container_id: r.container_id, pid: t.pid };
      },
      start: async (r: { container_id: string }) => {
        await this.call('tasks.start', r);
        const t = this.task(r.container_id);
        if (t.status === 'CREATED') t.status = 'RUNNING';
        return { pid: t.pid };
      },
      kill: async (r: { container_id: string; signal: number; all?: boolean }) => {
        await this.call('tasks.kill', r, String(r.signal));
        const t = this.task(r.container_id);
        t.signals.push(r.signal);
        if (t.status === 'STOPPED') {
          throw new FailedPreconditionError(
            GrpcCode.FAILED_PRECONDITION,
            'process already finished',
          );
        }
        if (r.signal === 9 || !t.ignores.has(r.signal)) this.exit(t, 128 + r.signal);
      },
      resume: async (r: { container_id: string }) => {
        await this.call('tasks.resume', r);
        const t = this.task(r.container_id);
        if (t.status === 'PAUSED') t.status = 'RUNNING';
      },
      wait: async (r: { container_id: string }, opts?: { timeoutMs?: number }) => {
        await this.call('tasks.wait', r);
        const t = this.task(r.container_id);
        if (t.status !== 'STOPPED') {
          // The fake's tasks exit only when signalled: a wait on a live one times out at once.
          throw new DeadlineExceededError(
            GrpcCode.DEADLINE_EXCEEDED,
            `deadline exceeded after ${opts?.timeoutMs ?? 0} ms`,
          );
        }
        return { exit_status: t.exitStatus, exited_at: timestamp(t.exitedAt ?? new Date()) };
      },
      delete: async (r: { container_id: string }) => {
        await this.call('tasks.delete', r);
        const t = this.task(r.container_id);
        if (t.status === 'RUNNING' || t.status === 'PAUSED') {
          throw new FailedPreconditionError(GrpcCode.FAILED_PRECONDITION, 'task must be stopped');
        }
        this.tasks.delete(r.container_id);
        return { id: r.container_id, pid: t.pid, exit_status: t.exitStatus };
      },
      closeIO: async (r: { container_id: string }) => {
        await this.call('tasks.closeIO', r);
      },
    };
    const leases = {
      create: async (r: { id: string; labels?: Record<string, string> }) => {
        await this.call('leases.create', r);
        this.leases.set(r.id, r.labels ?? {});
        return { lease: { id: r.id, labels: r.labels ?? {} } };
      },
      delete: async (r: { id: string }) => {
        await this.call('leases.delete', r);
        if (!this.leases.delete(r.id)) throw notFound(`lease ${r.id}`);
      },
      list: async () => {
        await this.call('leases.list', {});
        return { leases: [...this.leases].map(([id, labels]) => ({ id, labels })) };
      },
    };
    const snapshots = {
      remove: async (r: { key: string }) => {
        await this.call('snapshots.remove', r);
        if (!this.snapshots.delete(r.key)) throw notFound(`snapshot ${r.key}`);
      },
    };
    const services: Record<string, unknown> = { containers, tasks, leases, snapshots };
    return new Proxy(
      { namespace, address: '/fake/containerd.sock', close: () => undefined },
      {
        get: (target, prop: string) => {
          if (prop in target) return target[prop as keyof typeof target];
          const svc = services[prop];
          if (!svc) return unknown(`the ${prop} service`)();
          return new Proxy(svc as object, {
            get: (s, method: string) =>
              (s as Record<string, unknown>)[method] ?? unknown(`${prop}.${method}`),
          });
        },
      },
    ) as unknown as Client;
  }
}
