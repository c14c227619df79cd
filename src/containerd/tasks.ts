import type { CallOptions, Connection } from './connection.js';
import { ServiceBase } from './service.js';
import type { CloseIORequest } from './generated/containerd/services/tasks/v1/CloseIORequest.js';
import type { CreateTaskRequest } from './generated/containerd/services/tasks/v1/CreateTaskRequest.js';
import type { CreateTaskResponse__Output } from './generated/containerd/services/tasks/v1/CreateTaskResponse.js';
import type { DeleteProcessRequest } from './generated/containerd/services/tasks/v1/DeleteProcessRequest.js';
import type { DeleteResponse__Output } from './generated/containerd/services/tasks/v1/DeleteResponse.js';
import type { DeleteTaskRequest } from './generated/containerd/services/tasks/v1/DeleteTaskRequest.js';
import type { ExecProcessRequest } from './generated/containerd/services/tasks/v1/ExecProcessRequest.js';
import type { GetRequest } from './generated/containerd/services/tasks/v1/GetRequest.js';
import type { GetResponse__Output } from './generated/containerd/services/tasks/v1/GetResponse.js';
import type { KillRequest } from './generated/containerd/services/tasks/v1/KillRequest.js';
import type { ListPidsRequest } from './generated/containerd/services/tasks/v1/ListPidsRequest.js';
import type { ListPidsResponse__Output } from './generated/containerd/services/tasks/v1/ListPidsResponse.js';
import type { ListTasksRequest } from './generated/containerd/services/tasks/v1/ListTasksRequest.js';
import type { ListTasksResponse__Output } from './generated/containerd/services/tasks/v1/ListTasksResponse.js';
import type { MetricsRequest } from './generated/containerd/services/tasks/v1/MetricsRequest.js';
import type { MetricsResponse__Output } from './generated/containerd/services/tasks/v1/MetricsResponse.js';
import type { PauseTaskRequest } from './generated/containerd/services/tasks/v1/PauseTaskRequest.js';
import type { ResizePtyRequest } from './generated/containerd/services/tasks/v1/ResizePtyRequest.js';
import type { ResumeTaskRequest } from './generated/containerd/services/tasks/v1/ResumeTaskRequest.js';
import type { StartRequest } from './generated/containerd/services/tasks/v1/StartRequest.js';
import type { StartResponse__Output } from './generated/containerd/services/tasks/v1/StartResponse.js';
import type { UpdateTaskRequest } from './generated/containerd/services/tasks/v1/UpdateTaskRequest.js';
import type { WaitRequest } from './generated/containerd/services/tasks/v1/WaitRequest.js';
import type { WaitResponse__Output } from './generated/containerd/services/tasks/v1/WaitResponse.js';

/** containerd.services.tasks.v1.Tasks: processes of containers (init task and execs). */
export class TasksService extends ServiceBase {
  constructor(conn: Connection) {
    super(conn, 'tasks', 'containerd.services.tasks.v1.Tasks');
  }

  /**
   * Blocks until the shim has opened stdout/stderr for writing: open the FIFO
   * read ends first. Keeps the client's default deadline so a mistake there
   * fails instead of hanging.
   */
  create(request: CreateTaskRequest, opts?: CallOptions): Promise<CreateTaskResponse__Output> {
    return this.unary('Create', request, opts);
  }

  start(request: StartRequest, opts?: CallOptions): Promise<StartResponse__Output> {
    return this.unary('Start', request, opts);
  }

  /** Fails with UNKNOWN (not FAILED_PRECONDITION) while the task is running. */
  delete(request: DeleteTaskRequest, opts?: CallOptions): Promise<DeleteResponse__Output> {
    return this.unary('Delete', request, opts);
  }

  deleteProcess(
    request: DeleteProcessRequest,
    opts?: CallOptions,
  ): Promise<DeleteResponse__Output> {
    return this.unary('DeleteProcess', request, opts);
  }

  get(request: GetRequest, opts?: CallOptions): Promise<GetResponse__Output> {
    return this.unary('Get', request, opts);
  }

  list(request: ListTasksRequest = {}, opts?: CallOptions): Promise<ListTasksResponse__Output> {
    return this.unary('List', request, opts);
  }

  kill(request: KillRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Kill', request, opts);
  }

  exec(request: ExecProcessRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Exec', request, opts);
  }

  resizePty(request: ResizePtyRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('ResizePty', request, opts);
  }

  /** The only way to give the process EOF on stdin (the shim keeps its own writer open). */
  closeIO(request: CloseIORequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('CloseIO', request, opts);
  }

  pause(request: PauseTaskRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Pause', request, opts);
  }

  resume(request: ResumeTaskRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Resume', request, opts);
  }

  listPids(request: ListPidsRequest, opts?: CallOptions): Promise<ListPidsResponse__Output> {
    return this.unary('ListPids', request, opts);
  }

  update(request: UpdateTaskRequest, opts?: CallOptions): Promise<void> {
    return this.unaryVoid('Update', request, opts);
  }

  metrics(request: MetricsRequest, opts?: CallOptions): Promise<MetricsResponse__Output> {
    return this.unary('Metrics', request, opts);
  }

  /**
   * Resolves when the process exits (at once if it already has). No deadline
   * by default, since containers may run for days; pass timeoutMs or a signal.
   */
  wait(request: WaitRequest, opts?: CallOptions): Promise<WaitResponse__Output> {
    return this.unary('Wait', request, { ...opts, timeoutMs: opts?.timeoutMs ?? 0 });
  }
}
