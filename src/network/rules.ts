/**
 * A bridge network's own iptables rules, kept per network rather than per container.
 *
 * Why: the CNI bridge plugin's `ipMasq` and the `firewall` plugin each make a chain and rules per
 * container, one iptables process per rule: ~75 ms added to every `run` and ~125 ms to every
 * `rm` here. Docker instead keeps a few rules per bridge, for as long as the network exists, and
 * berth does the same: two chains (filter `BERTH-FWD-<bridge>`, nat `BERTH-NAT-<bridge>`)
 * written with one `iptables-restore` when a container first needs them, and removed with the
 * network (`network rm`/`prune`). Like docker0, the default bridge and its rules stay.
 * A marker under /run (gone at reboot, as the rules are) records what was installed, so later
 * runs read a file instead of starting iptables.
 * Measured here: creating and deleting the bridge device with every container instead made the
 * bridge cost ~130 ms per `run --rm` rather than ~48 ms (the kernel takes ~50 ms to delete one).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withNetworkLock } from './lock.js';

export interface BridgeRules {
  bridge: string;
  subnet: string;
  internal: boolean;
}

// iptables chain names are limited to 28 characters; bridge names to 15.
const fwdChain = (bridge: string): string => `BERTH-FWD-${bridge}`;
const natChain = (bridge: string): string => `BERTH-NAT-${bridge}`;
const comment = (bridge: string): string => `berth network ${bridge}`;

/** iptables-restore input that installs the network's rules (chains must not exist yet). */
export function rulesToAdd(r: BridgeRules): string {
  const fwd = fwdChain(r.bridge);
  const nat = natChain(r.bridge);
  const b = r.bridge;
  const filter = r.internal
    ? // Docker's --internal: traffic stays between the bridge's own ports.
      [
        `-A ${fwd} -i ${b} -o ${b} -j ACCEPT`,
        `-A ${fwd} -i ${b} ! -o ${b} -j DROP`,
        `-A ${fwd} -o ${b} ! -i ${b} -j DROP`,
      ]
    : [
        `-A ${fwd} -o ${b} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
        `-A ${fwd} -i ${b} -j ACCEPT`,
      ];
  const lines = [
    '*filter',
    `:${fwd} - [0:0]`,
    ...filter,
    `-I FORWARD -m comment --comment "${comment(b)}" -j ${fwd}`,
    'COMMIT',
  ];
  if (!r.internal) {
    lines.push(
      '*nat',
      `:${nat} - [0:0]`,
      `-A ${nat} -s ${r.subnet} ! -o ${b} -j MASQUERADE`,
      `-I POSTROUTING -m comment --comment "${comment(b)}" -j ${nat}`,
      'COMMIT',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** iptables-restore input that removes them; each table is one transaction. */
export function rulesToRemove(bridge: string): string[] {
  const per = (table: string, parent: string, chain: string): string =>
    [
      `*${table}`,
      `-D ${parent} -m comment --comment "${comment(bridge)}" -j ${chain}`,
      `-F ${chain}`,
      `-X ${chain}`,
      'COMMIT',
      '',
    ].join('\n');
  return [per('filter', 'FORWARD', fwdChain(bridge)), per('nat', 'POSTROUTING', natChain(bridge))];
}

function run(
  cmd: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Removes the rules (network rm/prune); tables whose rules are already gone are fine. */
export function removeBridgeRules(bridge: string): Promise<void> {
  // Under the network's lock, so a container starting meanwhile cannot have its fresh rules
  // and marker removed between its check and its use.
  return withNetworkLock(bridge, () => dropBridgeRules(bridge));
}

async function dropBridgeRules(bridge: string): Promise<void> {
  rmSync(join(MARKER_DIR, bridge), { force: true });
  for (const batch of rulesToRemove(bridge))
    await run('iptables-restore', ['-w', '--noflush'], batch);
}

/** Installs the rules, replacing any left from before (a crash, or someone else's flush). */
async function installBridgeRules(r: BridgeRules): Promise<void> {
  await dropBridgeRules(r.bridge);
  const res = await run('iptables-restore', ['-w', '--noflush'], rulesToAdd(r));
  if (res.code !== 0) {
    throw new Error(
      `cannot install the iptables rules of ${r.bridge}: ${res.stderr.trim().split('\n')[0]}`,
    );
  }
}

const MARKER_DIR = '/run/berth/rules';

/** Installs the network's rules unless the marker says these exact rules are in place. */
export async function ensureBridgeRules(r: BridgeRules): Promise<void> {
  const marker = join(MARKER_DIR, r.bridge);
  const want = rulesToAdd(r);
  const have = (): string | undefined => {
    try {
      return readFileSync(marker, 'utf8');
    } catch {
      return undefined;
    }
  };
  if (have() === want) return;
  await withNetworkLock(r.bridge, async () => {
    if (have() === want) return;
    await installBridgeRules(r);
    mkdirSync(MARKER_DIR, { recursive: true });
    writeFileSync(marker, want);
  });
}

/** Deletes the bridge device (the bridge plugin makes it again for the next container). */
export async function deleteBridge(bridge: string): Promise<void> {
  if (existsSync(`/sys/class/net/${bridge}`)) await run('ip', ['link', 'del', bridge]);
}
