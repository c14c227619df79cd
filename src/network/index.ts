// berth's container networking: CNI, network namespaces, published ports, network files.
export {
  setupContainerNetwork,
  teardownContainerNetwork,
  attachContainerNetwork,
  detachContainerNetwork,
  type AttachResult,
  releaseContainerPorts,
  connectContainerNetwork,
  disconnectContainerNetwork,
  orphanedNetworkStates,
  reclaimContainerPorts,
  hasNetworkState,
  NETNS_LABEL,
  type SetupOptions,
  type SetupResult,
} from './setup.js';
export { netnsPath } from './netns.js';
export { ensureDefaultNetwork } from './store.js';
export { removeNetworkHost } from './remove.js';
