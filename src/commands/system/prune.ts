import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { filterFlag, forceFlag } from '../../flags/common.js';

export default class SystemPrune extends BaseCommand {
  static summary = 'Remove unused data';
  static description =
    'In the k8s.io namespace nothing kubelet needs is removed: CRI containers, images a CRI ' +
    'container or sandbox was created from, and pinned images are kept.';
  static usage = 'system prune [OPTIONS]';
  static flags = {
    all: Flags.boolean({
      char: 'a',
      description: 'Remove all unused images not just dangling ones',
    }),
    filter: filterFlag('Provide filter values (e.g. "label=<key>=<value>")', {}),
    force: forceFlag(),
    volumes: Flags.boolean({ description: 'Prune anonymous volumes' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemPrune);
    const { settings } = this;
    const { checkSystemPrune, pruneSection, systemPruneWarning } =
      await import('../../cmd/system/prune.js');
    const o = { all: flags.all, volumes: flags.volumes, filters: flags.filter ?? [] };
    checkSystemPrune(o);
    if (!flags.force && !(await this.confirmPrompt(systemPruneWarning(o)))) return;
    const client = await this.client();
    const filters = [...o.filters];
    // The four prunes of their own commands, in docker/cli's order.
    const { pruneContainers } = await import('../../cmd/container/prune.js');
    const { runPrune: pruneNetworks } = await import('../../cmd/network/prune.js');
    const { runPrune: pruneVolumes } = await import('../../cmd/volume/prune.js');
    const { parseVolumePruneFilters } = await import('../../volume/filters.js');
    const { pruneImages } = await import('../../cmd/image/prune.js');
    const { humanSize } = await import('../../formatter/units.js');
    let reclaimed = 0;
    const containers = await pruneContainers(client, settings, filters);
    reclaimed += containers.reclaimed;
    process.stdout.write(pruneSection('Deleted Containers:', containers.deleted));
    const networks = await pruneNetworks(settings, client, filters);
    process.stdout.write(pruneSection('Deleted Networks:', networks));
    if (o.volumes) {
      const report = await pruneVolumes(settings, client, {
        all: false,
        filters: parseVolumePruneFilters(filters),
      });
      reclaimed += report.spaceReclaimed;
      process.stdout.write(pruneSection('Deleted Volumes:', report.deleted));
    }
    const images = await pruneImages(client, {
      all: o.all,
      filters,
      snapshotter: settings.snapshotter,
    });
    reclaimed += images.reclaimed;
    process.stdout.write(pruneSection('Deleted Images:', images.lines));
    process.stdout.write(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
  }
}
