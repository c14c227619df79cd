/**
 * `completion bash|zsh|fish`: shell completion scripts generated from the command table (the
 * oclif manifest), with live values where Docker completes them: container names, image
 * references, networks, volumes and namespaces. Live values come from berth itself under
 * `timeout`, so a containerd that does not answer costs the shell at most that long.
 */

export interface CompletionFlag {
  name: string;
  char?: string;
  aliases?: string[];
  charAliases?: string[];
  /** 'boolean' flags take no value. */
  type: string;
  hidden?: boolean;
  global?: boolean;
}

export interface CompletionCommand {
  /** `ps`, `network:ls`. */
  id: string;
  aliases: string[];
  hidden?: boolean;
  flags: CompletionFlag[];
}

type Kind = 'containers' | 'images' | 'networks' | 'volumes' | 'namespaces';

/** Seconds a live lookup may take before the shell gives up on it. */
export const LIVE_TIMEOUT_S = 2;

/** What Docker completes for each command's arguments. */
const ARG_KINDS: Readonly<Record<string, Kind>> = {
  attach: 'containers',
  cp: 'containers',
  exec: 'containers',
  inspect: 'containers',
  kill: 'containers',
  logs: 'containers',
  pause: 'containers',
  port: 'containers',
  rename: 'containers',
  restart: 'containers',
  rm: 'containers',
  start: 'containers',
  stats: 'containers',
  stop: 'containers',
  top: 'containers',
  unpause: 'containers',
  update: 'containers',
  wait: 'containers',
  'container:inspect': 'containers',
  run: 'images',
  create: 'images',
  rmi: 'images',
  tag: 'images',
  history: 'images',
  push: 'images',
  save: 'images',
  'image:inspect': 'images',
  'network:rm': 'networks',
  'network:inspect': 'networks',
  'network:connect': 'networks',
  'network:disconnect': 'networks',
  'volume:rm': 'volumes',
  'volume:inspect': 'volumes',
  'namespace:rm': 'namespaces',
  'namespace:inspect': 'namespaces',
};

/** Flags whose values are live too. */
const FLAG_KINDS: Readonly<Record<string, Kind>> = {
  namespace: 'namespaces',
  network: 'networks',
  net: 'networks',
  'volumes-from': 'containers',
};

/** The berth call listing each kind (global flags typed so far are passed along). */
const LIST_ARGS: Readonly<Record<Kind, string>> = {
  containers: "ps -a --format '{{.Names}}'",
  images: "images --format '{{.Repository}}:{{.Tag}}'",
  networks: "network ls --format '{{.Name}}'",
  volumes: 'volume ls -q',
  namespaces: 'namespace ls -q',
};

interface Table {
  /** Words completing the first position: commands and management topics. */
  top: string[];
  /** topic -> its verbs. */
  topics: Map<string, string[]>;
  /** `stop`, `network ls` -> its flags (`--time -t`). */
  flags: Map<string, string[]>;
  /** Same keys -> flags taking a value. */
  valueFlags: Map<string, string[]>;
  /** Same keys -> the live kind of its arguments. */
  argKinds: Map<string, Kind>;
  /** Global flags that take a value (skipped, with it, while finding the command). */
  globalValueFlags: string[];
}

function flagWords(f: CompletionFlag): string[] {
  return [
    `--${f.name}`,
    ...(f.aliases ?? []).map((a) => `--${a}`),
    ...(f.char ? [`-${f.char}`] : []),
    ...(f.charAliases ?? []).map((c) => `-${c}`),
  ];
}

function buildTable(commands: readonly CompletionCommand[]): Table {
  const t: Table = {
    top: [],
    topics: new Map(),
    flags: new Map(),
    valueFlags: new Map(),
    argKinds: new Map(),
    globalValueFlags: [],
  };
  const add = (id: string, c: CompletionCommand): void => {
    const parts = id.split(':');
    const key = parts.join(' ');
    if (parts.length === 1) {
      if (!t.top.includes(id)) t.top.push(id);
    } else {
      const topic = parts[0]!;
      if (!t.top.includes(topic)) t.top.push(topic);
      const verbs = t.topics.get(topic) ?? [];
      if (!verbs.includes(parts[1]!)) verbs.push(parts[1]!);
      t.topics.set(topic, verbs);
    }
    const visible = c.flags.filter((f) => !f.hidden);
    t.flags.set(key, [...visible.flatMap(flagWords), '--help']);
    t.valueFlags.set(key, visible.filter((f) => f.type !== 'boolean').flatMap(flagWords));
    const kind = ARG_KINDS[c.id];
    if (kind) t.argKinds.set(key, kind);
  };
  for (const c of commands) {
    if (c.hidden) continue;
    add(c.id, c);
    for (const a of c.aliases) add(a, c);
  }
  const globals = commands[0]?.flags.filter((f) => f.global && f.type !== 'boolean') ?? [];
  // Docker's short global flags, which berth's argv rules accept before the command.
  t.globalValueFlags = [...new Set([...globals.flatMap(flagWords), '-n', '-a', '-H'])];
  t.top.sort();
  for (const v of t.topics.values()) v.sort();
  return t;
}

const q = (words: readonly string[]): string => words.join(' ');

/** The bash script (zsh loads the same through bashcompinit). */
export function bashScript(commands: readonly CompletionCommand[], bin = 'berth'): string {
  const t = buildTable(commands);
  const caseFlags = [...t.flags].map(([k, v]) => `    '${k}') echo '${q(v)}' ;;`).join('\n');
  const caseValue = [...t.valueFlags].map(([k, v]) => `    '${k}') echo '${q(v)}' ;;`).join('\n');
  const caseKinds = [...t.argKinds].map(([k, v]) => `    '${k}') echo ${v} ;;`).join('\n');
  const caseTopics = [...t.topics].map(([k, v]) => `    ${k}) echo '${q(v)}' ;;`).join('\n');
  const caseList = (Object.entries(LIST_ARGS) as [Kind, string][])
    .map(([k, v]) => `    ${k}) __berth_q ${v} ;;`)
    .join('\n');
  const flagKinds = Object.entries(FLAG_KINDS)
    .map(([f, k]) => `    --${f}) kind=${k} ;;`)
    .concat(['    -n) [[ -z $cmd ]] && kind=namespaces ;;'])
    .join('\n');
  return `# bash completion for ${bin} (generated by \`${bin} completion bash\`)
__berth_topics() {
  case "$1" in
${caseTopics}
  esac
}
__berth_flags() {
  case "$1" in
${caseFlags}
  esac
}
__berth_value_flags() {
  case "$1" in
${caseValue}
  esac
}
__berth_arg_kind() {
  case "$1" in
${caseKinds}
  esac
}
# Live values: berth itself, with the global flags typed so far, never longer than ${LIVE_TIMEOUT_S}s.
__berth_q() {
  eval "timeout ${LIVE_TIMEOUT_S} ${bin} \${__berth_globals[*]} $*" 2>/dev/null
}
__berth_list() {
  case "$1" in
${caseList}
  esac
}
_berth() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local globals=' ${q(t.globalValueFlags)} '
  local cmd='' topic='' i w
  __berth_globals=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ -z $cmd && $globals == *" $w "* ]]; then
      # The word being completed is no setting yet.
      ((i + 1 < COMP_CWORD)) && __berth_globals+=("$w" "$(printf %q "\${COMP_WORDS[i+1]}")")
      ((i++))
      continue
    fi
    if [[ $w == -* ]]; then
      [[ -n $cmd && " $(__berth_value_flags "$cmd") " == *" $w "* ]] && ((i++))
      continue
    fi
    if [[ -z $cmd ]]; then
      cmd=$w
      [[ -n $(__berth_topics "$w") ]] && topic=$w
    elif [[ -n $topic && $cmd == "$topic" ]]; then
      cmd="$topic $w"
    else
      break
    fi
  done
  local kind=''
  case "$prev" in
${flagKinds}
  esac
  if [[ -z $kind && $cur != -* && -n $prev && $prev == -* ]]; then
    local vf=" $(__berth_value_flags "\${cmd:-version}") "
    [[ $vf == *" $prev "* ]] && { COMPREPLY=(); return; }
  fi
  if [[ -n $kind ]]; then
    COMPREPLY=($(compgen -W "$(__berth_list "$kind")" -- "$cur"))
    return
  fi
  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$(__berth_flags version)" -- "$cur"))
    else
      COMPREPLY=($(compgen -W '${q(t.top)}' -- "$cur"))
    fi
    return
  fi
  if [[ -n $topic && $cmd == "$topic" ]]; then
    COMPREPLY=($(compgen -W "$(__berth_topics "$topic")" -- "$cur"))
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(__berth_flags "$cmd")" -- "$cur"))
    return
  fi
  kind=$(__berth_arg_kind "$cmd")
  if [[ -n $kind ]]; then
    COMPREPLY=($(compgen -W "$(__berth_list "$kind")" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _berth ${bin}
`;
}

/** zsh: the bash function through zsh's bashcompinit, as many CLIs ship it. */
export function zshScript(commands: readonly CompletionCommand[], bin = 'berth'): string {
  return `#compdef ${bin}
# zsh completion for ${bin} (generated by \`${bin} completion zsh\`)
autoload -U +X bashcompinit && bashcompinit
${bashScript(commands, bin)}`;
}

export function fishScript(commands: readonly CompletionCommand[], bin = 'berth'): string {
  const t = buildTable(commands);
  const lines = [
    `# fish completion for ${bin} (generated by \`${bin} completion fish\`)`,
    `complete -c ${bin} -f`,
  ];
  const live = (k: Kind): string =>
    `(timeout ${LIVE_TIMEOUT_S} ${bin} ${LIST_ARGS[k].replace(/'/g, '"')} 2>/dev/null)`;
  lines.push(`complete -c ${bin} -n '__fish_use_subcommand' -a '${q(t.top)}'`);
  for (const [topic, verbs] of t.topics) {
    lines.push(
      `complete -c ${bin} -n '__fish_seen_subcommand_from ${topic}; and not __fish_seen_subcommand_from ${q(verbs)}' -a '${q(verbs)}'`,
    );
  }
  for (const [key, flags] of t.flags) {
    const parts = key.split(' ');
    const cond =
      parts.length === 1
        ? `__fish_seen_subcommand_from ${key}`
        : `__fish_seen_subcommand_from ${parts[0]}; and __fish_seen_subcommand_from ${parts[1]}`;
    const longs = flags.filter((f) => f.startsWith('--')).map((f) => `-l ${f.slice(2)}`);
    const shorts = flags.filter((f) => /^-[^-]$/.test(f)).map((f) => `-s ${f.slice(1)}`);
    for (const opt of [...longs, ...shorts]) lines.push(`complete -c ${bin} -n '${cond}' ${opt}`);
    const kind = t.argKinds.get(key);
    if (kind) lines.push(`complete -c ${bin} -n '${cond}' -a '${live(kind)}'`);
  }
  for (const [flag, kind] of Object.entries(FLAG_KINDS)) {
    lines.push(`complete -c ${bin} -l ${flag} -x -a '${live(kind)}'`);
  }
  lines.push(`complete -c ${bin} -s n -x -a '${live('namespaces')}'`);
  return `${lines.join('\n')}\n`;
}
