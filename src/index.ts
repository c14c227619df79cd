// The bundle's entry: oclif's explicit command table plus the runner bin/run.js calls.
import type { Command } from '@oclif/core';
import Version from './commands/version.js';
import Compose from './commands/compose.js';
import Info from './commands/info.js';
import NamespaceLs from './commands/namespace/ls.js';
import NamespaceCreate from './commands/namespace/create.js';
import NamespaceRm from './commands/namespace/rm.js';
import NamespaceInspect from './commands/namespace/inspect.js';
import Pods from './commands/pods.js';
import PodInspect from './commands/pod/inspect.js';
import SystemStart from './commands/system/start.js';
import SystemStop from './commands/system/stop.js';
import SystemStatus from './commands/system/status.js';
import Ps from './commands/ps.js';
import Rm from './commands/rm.js';
import Stop from './commands/stop.js';
import Kill from './commands/kill.js';
import Pause from './commands/pause.js';
import Unpause from './commands/unpause.js';
import Rename from './commands/rename.js';
import Port from './commands/port.js';
import Inspect from './commands/inspect.js';
import Restart from './commands/restart.js';
import Top from './commands/top.js';
import Stats from './commands/stats.js';
import Cp from './commands/cp.js';
import ContainerPrune from './commands/container/prune.js';
import ContainerInspect from './commands/container/inspect.js';

import Run from './commands/run.js';
import Create from './commands/create.js';
import Start from './commands/start.js';
import Exec from './commands/exec.js';
import Logs from './commands/logs.js';
import Wait from './commands/wait.js';
import Attach from './commands/attach.js';
import VolumeCreate from './commands/volume/create.js';
import VolumeLs from './commands/volume/ls.js';
import VolumeInspect from './commands/volume/inspect.js';
import VolumeRm from './commands/volume/rm.js';
import VolumePrune from './commands/volume/prune.js';
import NetworkCreate from './commands/network/create.js';
import NetworkLs from './commands/network/ls.js';
import NetworkInspect from './commands/network/inspect.js';
import NetworkRm from './commands/network/rm.js';
import NetworkPrune from './commands/network/prune.js';
import NetworkConnect from './commands/network/connect.js';
import NetworkDisconnect from './commands/network/disconnect.js';
import Pull from './commands/pull.js';
import Images from './commands/images.js';
import Tag from './commands/tag.js';
import Rmi from './commands/rmi.js';
import History from './commands/history.js';
import ImageInspect from './commands/image/inspect.js';
import ImagePrune from './commands/image/prune.js';
import ImageCopy from './commands/image/copy.js';
import Save from './commands/save.js';
import Load from './commands/load.js';
import Push from './commands/push.js';
import Login from './commands/login.js';
import Logout from './commands/logout.js';
import Build from './commands/build.js';
import BuilderPrune from './commands/builder/prune.js';
import Commit from './commands/commit.js';
import Export from './commands/export.js';
import Diff from './commands/diff.js';
import Import from './commands/import.js';
import Events from './commands/events.js';
import Update from './commands/update.js';
import SystemPrune from './commands/system/prune.js';
import SystemDf from './commands/system/df.js';
import Completion from './commands/completion.js';

export { run, flush, handle } from '@oclif/core';
export { exitOnClosedPipe } from './process.js';

export const COMMANDS: Record<string, Command.Class> = {
  version: Version,
  compose: Compose,
  info: Info,
  'namespace:ls': NamespaceLs,
  'namespace:create': NamespaceCreate,
  'namespace:rm': NamespaceRm,
  'namespace:inspect': NamespaceInspect,
  pods: Pods,
  'pod:inspect': PodInspect,
  'system:start': SystemStart,
  'system:stop': SystemStop,
  'system:status': SystemStatus,
  ps: Ps,
  rm: Rm,
  stop: Stop,
  kill: Kill,
  pause: Pause,
  unpause: Unpause,
  rename: Rename,
  port: Port,
  inspect: Inspect,
  restart: Restart,
  top: Top,
  stats: Stats,
  cp: Cp,
  'container:prune': ContainerPrune,
  'container:inspect': ContainerInspect,
  run: Run,
  create: Create,
  start: Start,
  exec: Exec,
  logs: Logs,
  wait: Wait,
  attach: Attach,
  'volume:create': VolumeCreate,
  'volume:ls': VolumeLs,
  'volume:inspect': VolumeInspect,
  'volume:rm': VolumeRm,
  'volume:prune': VolumePrune,
  'network:create': NetworkCreate,
  'network:ls': NetworkLs,
  'network:inspect': NetworkInspect,
  'network:rm': NetworkRm,
  'network:prune': NetworkPrune,
  'network:connect': NetworkConnect,
  'network:disconnect': NetworkDisconnect,
  pull: Pull,
  images: Images,
  tag: Tag,
  rmi: Rmi,
  history: History,
  'image:inspect': ImageInspect,
  'image:prune': ImagePrune,
  'image:copy': ImageCopy,
  save: Save,
  load: Load,
  push: Push,
  login: Login,
  logout: Logout,
  build: Build,
  'builder:prune': BuilderPrune,
  commit: Commit,
  export: Export,
  diff: Diff,
  import: Import,
  events: Events,
  update: Update,
  'system:prune': SystemPrune,
  'system:df': SystemDf,
  completion: Completion,
};
