// The bundle's entry: oclif's explicit command table plus the runner bin/run.js calls.
import type { Command } from '@oclif/core';
import Version from './commands/version.js';
import Info from './commands/info.js';
import NamespaceLs from './commands/namespace/ls.js';
import NamespaceCreate from './commands/namespace/create.js';
import NamespaceRm from './commands/namespace/rm.js';
import NamespaceInspect from './commands/namespace/inspect.js';
import SystemStart from './commands/system/start.js';
import SystemStop from './commands/system/stop.js';
import SystemStatus from './commands/system/status.js';

export { run, flush, handle } from '@oclif/core';

export const COMMANDS: Record<string, Command.Class> = {
  version: Version,
  info: Info,
  'namespace:ls': NamespaceLs,
  'namespace:create': NamespaceCreate,
  'namespace:rm': NamespaceRm,
  'namespace:inspect': NamespaceInspect,
  'system:start': SystemStart,
  'system:stop': SystemStop,
  'system:status': SystemStatus,
};
