import Inspect, { InspectBase } from '../inspect.js';

/** Docker's `container inspect`: containers only, so a missing one is "No such container". */
export default class ContainerInspect extends InspectBase {
  static summary = 'Display detailed information on one or more containers';
  static usage = 'container inspect [OPTIONS] CONTAINER [CONTAINER...]';
  static strict = false;
  static args = Inspect.args;
  static flags = { format: Inspect.flags.format, size: Inspect.flags.size };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(ContainerInspect);
    await this.inspectRefs(flags, argv as string[], 'container');
  }
}
