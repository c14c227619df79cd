import Pause from './pause.js';

export default class Unpause extends Pause {
  static summary = 'Unpause all processes within one or more containers';
  static usage = 'unpause CONTAINER [CONTAINER...]';
  static aliases = ['container:unpause'];
  // oclif reads these per class, so they are restated rather than inherited.
  static strict = Pause.strict;
  static args = Pause.args;
  static flags = Pause.flags;
  protected override readonly verb = 'unpause';
}
