/** kubelet's runtime API (CRI) as berth uses it: the client, CRI's views, its logs and images. */
export { criOf, CriImages, CriRuntime, type Cri } from './client.js';
export { criImageFacts, isNoCri, sandboxImage, PINNED_LABEL } from './images.js';
export { showCriContainerLog, showCriLog, type CriLogOptions } from './logs.js';
export {
  criKind,
  criContainerState,
  criView,
  criViews,
  nsToDate,
  waitCriExit,
  type CriKind,
  type CriState,
  type CriView,
} from './state.js';
export {
  criForced,
  criRefusal,
  criRemove,
  criStart,
  criStop,
  CriRefusedError,
  KUBE_FORCE_FLAG,
  podNameOf,
  type ForcedChange,
} from './guard.js';
export { criListing, isSandbox, olderAttemptsOf, type CriListing } from './list.js';
export { withCriView } from './inspect.js';
