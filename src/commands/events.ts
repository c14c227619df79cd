import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { BerthError } from '../errors.js';
import { filterFlag } from '../flags/common.js';

export default class Events extends BaseCommand {
  static summary = 'Get real time events from the server';
  static description =
    'containerd keeps no event history: --since in the past replays only what still exists ' +
    '(the create events of containers and volumes that are still there); everything else is ' +
    'reported as it happens.';
  static usage = 'events [OPTIONS]';
  static aliases = ['system:events'];
  static flags = {
    filter: filterFlag(),
    format: Flags.string({
      description:
        "Format output using a custom template:\n'json': Print in JSON format\n'TEMPLATE': Print output using the given Go template",
      helpValue: 'string',
    }),
    since: Flags.string({
      description:
        'Show all events created since timestamp (only what still exists can be replayed)',
      helpValue: 'string',
    }),
    until: Flags.string({ description: 'Stream events until this timestamp', helpValue: 'string' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Events);
    const { runEvents, prettyEvent, Message } = await import('../cmd/system/events.js');
    const { compileTemplate, unescapeFormat, TemplateError } =
      await import('../formatter/template.js');
    const { marshalJSON } = await import('../formatter/gojson.js');
    let print: (m: InstanceType<typeof Message>) => string = prettyEvent;
    const format = flags.format ?? '';
    if (format !== '') {
      const source = format === 'json' ? '{{json .}}' : unescapeFormat(format);
      const funcs = {
        json: (v: unknown): unknown => {
          try {
            return marshalJSON(v);
          } catch {
            return '';
          }
        },
      };
      // docker/cli runs the template once on an empty message, so a bad field fails up front.
      try {
        const tmpl = compileTemplate(source, { funcs });
        tmpl.execute(new Message('container', '', '', {}, 0n), { funcs });
        print = (m) => `${tmpl.execute(m, { funcs })}\n`;
      } catch (err) {
        if (err instanceof TemplateError) {
          throw new BerthError(`Error parsing format: ${err.message}`, { exitCode: 64 });
        }
        throw err;
      }
    }
    const { settings } = this;
    const client = await this.client();
    const controller = new AbortController();
    const interrupted = (): void => controller.abort();
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    try {
      await runEvents(client, {
        since: flags.since,
        until: flags.until,
        filters: flags.filter ?? [],
        print: (m) => process.stdout.write(print(m)),
        signal: controller.signal,
        volumes: async () => {
          const { listVolumes } = await import('../volume/index.js');
          return (await listVolumes(settings)).map((v) => ({
            name: v.name,
            createdAt: new Date(v.createdAt),
            driver: 'local',
          }));
        },
      });
    } finally {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
    }
    // docker/cli ends on Ctrl-C with the shell's 130, after the stream is closed cleanly.
    if (controller.signal.aborted) this.exit(130);
  }
}
