#!/usr/bin/env bash
# Cost of setupContainerNetwork + teardownContainerNetwork (no container started), bridge vs none,
# using a private netconf dir and subnet 198.18.0.0/24. Needs root. Usage: bench/network.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
TMP=$(mktemp -d /tmp/berth-netbench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cat > "$TMP/bench.mts" <<TS
import { setupContainerNetwork, teardownContainerNetwork } from '$(pwd)/src/network/index.ts';
const settings = { cniPath: '/usr/lib/cni', cniNetconfPath: '$TMP/net.d', dataRoot: '$TMP/data', bridgeIp: '198.18.0.0/24', hostGatewayIp: '' };
const n = Number(process.argv[2]);
for (const mode of ['none', 'bridge', 'bridge+port']) {
  const setupMs: number[] = [];
  const downMs: number[] = [];
  for (let i = -1; i < n; i++) {
    const id = \`bench\${i + 1}\`;
    const ports = mode === 'bridge+port' ? [{ hostIP: '127.0.0.1', hostPort: 0, hostPortEnd: 0, containerPort: 80, protocol: 'tcp' as const }] : [];
    const t0 = performance.now();
    await setupContainerNetwork({ settings, namespace: 'bench', containerId: id, networks: [mode === 'none' ? 'none' : 'bridge'], ports, hostname: id, stateDir: '$TMP/state/' + id });
    const t1 = performance.now();
    await teardownContainerNetwork({ settings, namespace: 'bench', containerId: id });
    const t2 = performance.now();
    if (i >= 0) { setupMs.push(t1 - t0); downMs.push(t2 - t1); } // i = -1 warms up (bridge creation)
  }
  const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(1);
  console.log(\`\${mode.padEnd(12)} setup median \${med(setupMs)} ms   teardown median \${med(downMs)} ms   (n=\${n})\`);
}
TS
node --import tsx "$TMP/bench.mts" "$N"
