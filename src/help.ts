// Help that reads like Docker's (`Usage:  berth run [OPTIONS] IMAGE…`, Options with type words,
// Management Commands), rendered from oclif's manifest so no command module is loaded.
import { Help, type Command, type Interfaces } from '@oclif/core';

type Cmd = Command.Loadable;
type FlagDef = Command.Flag.Cached;

const COMMON = [
  'run',
  'exec',
  'ps',
  'build',
  'pull',
  'push',
  'images',
  'login',
  'logout',
  'search',
  'version',
  'info',
];
const TOPIC_SUMMARY: Record<string, string> = {
  container: 'Manage containers',
  image: 'Manage images',
  namespace: 'Manage containerd namespaces',
  network: 'Manage networks',
  pod: "Show kubelet's pods (read-only, through CRI)",
  system: 'Manage berth and its containerd',
  volume: 'Manage volumes',
};

function pad(s: string, width: number): string {
  return s.length >= width ? `${s} ` : s + ' '.repeat(width - s.length);
}

function flagLeft(name: string, f: FlagDef): string {
  const short = f.char ? `-${f.char}, ` : '    ';
  const value = f.type === 'option' ? ` ${f.helpValue ?? (f.multiple ? 'list' : 'string')}` : '';
  return `  ${short}--${name}${value}`;
}

function flagRight(f: FlagDef): string {
  let text = f.summary ?? f.description ?? '';
  const def = (f as { default?: unknown }).default;
  const empty = def === undefined || def === '' || (Array.isArray(def) && def.length === 0);
  if (f.type === 'option' && !empty && typeof def !== 'function') {
    text += typeof def === 'string' ? ` (default "${def}")` : ` (default ${String(def)})`;
  }
  return text;
}

export function renderOptions(flags: Record<string, FlagDef>, group: 'GLOBAL' | 'LOCAL'): string[] {
  const entries = Object.entries(flags)
    .filter(([, f]) => !f.hidden && (group === 'GLOBAL') === (f.helpGroup === 'GLOBAL'))
    .sort(([a], [b]) => a.localeCompare(b));
  const lefts = entries.map(([n, f]) => flagLeft(n, f));
  const width = Math.max(0, ...lefts.map((l) => l.length)) + 3;
  // Continuation lines of a long description line up under its first line, as pflag does.
  return entries.map(([, f], i) =>
    `${pad(lefts[i], width)}${flagRight(f).replaceAll('\n', `\n${' '.repeat(width)}`)}`.trimEnd(),
  );
}

export default class DockerHelp extends Help {
  private out(lines: string[]): void {
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  private visibleCommands(): Cmd[] {
    return this.config.commands.filter((c) => !c.hidden && !c.aliases.includes(c.id));
  }

  override async showRootHelp(): Promise<void> {
    const cmds = this.visibleCommands();
    const top = cmds.filter((c) => !c.id.includes(':'));
    const list = (items: { name: string; summary: string }[]): string[] =>
      items.map((i) => `  ${pad(i.name, 12)}${i.summary}`);
    const summary = (c: Cmd): string => c.summary ?? c.description?.split('\n')[0] ?? '';
    const common = COMMON.map((n) => top.find((c) => c.id === n)).filter((c): c is Cmd =>
      Boolean(c),
    );
    const topics = [
      ...new Set(cmds.filter((c) => c.id.includes(':')).map((c) => c.id.split(':')[0])),
    ].sort();
    const rest = top.filter((c) => !COMMON.includes(c.id)).sort((a, b) => a.id.localeCompare(b.id));
    const globals = this.config.commands.find((c) => c.id === 'version')?.flags ?? {};
    this.out([
      '',
      'Usage:  berth [OPTIONS] COMMAND',
      '',
      'A Docker-compatible command line for containerd',
      '',
      'Common Commands:',
      ...list(common.map((c) => ({ name: c.id, summary: summary(c) }))),
      '',
      'Management Commands:',
      ...list(topics.map((t) => ({ name: t, summary: TOPIC_SUMMARY[t] ?? '' }))),
      '',
      'Commands:',
      ...list(rest.map((c) => ({ name: c.id, summary: summary(c) }))),
      '',
      'Global Options:',
      ...renderOptions(globals, 'GLOBAL').map((l) =>
        l
          .replace('--address string', '--address string')
          .replace(/^ {6}--namespace/, '  -n, --namespace'),
      ),
      '',
      "Run 'berth COMMAND --help' for more information on a command.",
    ]);
  }

  override async showTopicHelp(topic: Interfaces.Topic): Promise<void> {
    const prefix = `${topic.name}:`;
    // `image ls` is an alias of `images`, `container run` of `run`: list them under the topic too.
    const entries: { name: string; summary: string }[] = [];
    for (const c of this.visibleCommands()) {
      for (const id of [c.id, ...(c.aliases ?? [])]) {
        if (id.startsWith(prefix) && !id.slice(prefix.length).includes(':')) {
          entries.push({ name: id.slice(prefix.length), summary: c.summary ?? '' });
        }
      }
    }
    const seen = new Set<string>();
    const cmds = entries
      .filter((e) => !seen.has(e.name) && seen.add(e.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    const name = topic.name.replaceAll(':', ' ');
    this.out([
      '',
      `Usage:  berth ${name} COMMAND`,
      '',
      TOPIC_SUMMARY[topic.name] ?? topic.description ?? '',
      '',
      'Commands:',
      ...cmds.map((c) => `  ${pad(c.name, 12)}${c.summary}`),
      '',
      `Run 'berth ${name} COMMAND --help' for more information on a command.`,
    ]);
  }

  override async showCommandHelp(command: Cmd): Promise<void> {
    const usage = Array.isArray(command.usage)
      ? command.usage
      : command.usage
        ? [command.usage]
        : [];
    const id = command.id.replaceAll(':', ' ');
    const aliases = (command.aliases ?? []).map((a) => `berth ${a.replaceAll(':', ' ')}`);
    const lines = ['', `Usage:  berth ${usage[0] ?? `${id} [OPTIONS]`}`, ''];
    lines.push(command.summary ?? command.description ?? '');
    if (aliases.length > 0)
      lines.push('', 'Aliases:', `  ${[`berth ${id}`, ...aliases].join(', ')}`);
    const options = renderOptions(command.flags, 'LOCAL');
    if (options.length > 0) lines.push('', 'Options:', ...options);
    this.out(lines);
  }
}
