/**
 * berth's containerd client: one gRPC channel, one lazily-created wrapper per
 * service. Touching `client.tasks` is what loads the tasks descriptor, so a
 * command pays only for the services it uses.
 *
 *   const client = new Client({ address: '/run/containerd/containerd.sock', namespace: 'default' });
 *   const { version } = await client.version.version();
 *   client.close();
 */
import { Connection, type ConnectionOptions } from './connection.js';
import { ContainersService } from './containers.js';
import { ContentService } from './content.js';
import { DiffService } from './diff.js';
import { EventsService } from './events.js';
import { ImagesService } from './images.js';
import { IntrospectionService } from './introspection.js';
import { LeasesService } from './leases.js';
import { NamespacesService } from './namespaces.js';
import { SnapshotsService } from './snapshots.js';
import { TasksService } from './tasks.js';
import { VersionService } from './version.js';

export type { CallOptions } from './connection.js';
export type ClientOptions = ConnectionOptions;

export class Client {
  private readonly conn: Connection;
  private versionSvc: VersionService | undefined;
  private namespacesSvc: NamespacesService | undefined;
  private introspectionSvc: IntrospectionService | undefined;
  private imagesSvc: ImagesService | undefined;
  private contentSvc: ContentService | undefined;
  private snapshotsSvc: SnapshotsService | undefined;
  private containersSvc: ContainersService | undefined;
  private tasksSvc: TasksService | undefined;
  private leasesSvc: LeasesService | undefined;
  private diffSvc: DiffService | undefined;
  private eventsSvc: EventsService | undefined;

  constructor(options: ClientOptions) {
    this.conn = new Connection(options);
  }

  /** Socket path (without any unix:// prefix). */
  get address(): string {
    return this.conn.address;
  }

  /** The shared channel, for services defined outside this module (kubelet's CRI). */
  get connection(): Connection {
    return this.conn;
  }

  /** Default namespace for calls that do not override it. */
  get namespace(): string {
    return this.conn.namespace;
  }

  get version(): VersionService {
    return (this.versionSvc ??= new VersionService(this.conn));
  }

  get namespaces(): NamespacesService {
    return (this.namespacesSvc ??= new NamespacesService(this.conn));
  }

  get introspection(): IntrospectionService {
    return (this.introspectionSvc ??= new IntrospectionService(this.conn));
  }

  get images(): ImagesService {
    return (this.imagesSvc ??= new ImagesService(this.conn));
  }

  get content(): ContentService {
    return (this.contentSvc ??= new ContentService(this.conn));
  }

  get snapshots(): SnapshotsService {
    return (this.snapshotsSvc ??= new SnapshotsService(this.conn));
  }

  get containers(): ContainersService {
    return (this.containersSvc ??= new ContainersService(this.conn));
  }

  get tasks(): TasksService {
    return (this.tasksSvc ??= new TasksService(this.conn));
  }

  get leases(): LeasesService {
    return (this.leasesSvc ??= new LeasesService(this.conn));
  }

  get diff(): DiffService {
    return (this.diffSvc ??= new DiffService(this.conn));
  }

  get events(): EventsService {
    return (this.eventsSvc ??= new EventsService(this.conn));
  }

  /** Closes the channel. Open streams are cancelled; the process can then exit. */
  close(): void {
    this.conn.close();
  }
}
