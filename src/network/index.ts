// berth's container networking: CNI, network namespaces, published ports, network files.
export {
  setupContainerNetwork,
  teardownContainerNetwork,
  releaseContainerPorts,
  connectContainerNetwork,
  disconnectContainerNetwork,
  orphanedNetworkStates,
  reclaimContainerPorts,
  networksFromLabels,
  hasNetworkState,
  cniContainerId,
  NETNS_LABEL,
  NetworkSetupError,
  type SetupOptions,
  type SetupResult,
  type TeardownOptions,
  type NetworkSettings,
  type EndpointSettings,
} from './setup.js';
export {
  formatPorts,
  portLines,
  dockerPorts,
  PortInUseError,
  type PortBinding,
  type PortMapping,
} from './ports.js';
export { netnsPath, NETNS_DIR } from './netns.js';
export {
  DEFAULT_NETWORK,
  DEFAULT_BRIDGE,
  BUILTIN_NETWORKS,
  findNetwork,
  listStoredNetworks,
  ensureDefaultNetwork,
  createNetwork,
  type StoredNetwork,
  type NetworkMeta,
} from './store.js';
export type { ExtraHost } from './files.js';
