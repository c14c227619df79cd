/**
 * The TLS side of reaching a registry endpoint, shared by every command that talks to one (pull,
 * push, login) so that a certs.d entry means the same thing to all of them.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import type { TlsSettings } from './hosts.js';

/** The subset of node's TLS connect options an endpoint's settings turn into. */
export interface TlsConnectOptions {
  ca?: string[];
  rejectUnauthorized: boolean;
  cert?: string;
  key?: string;
}

/**
 * Connect options for an endpoint, or undefined when node's defaults already fit (so callers can
 * keep using the global dispatcher and its connection pool).
 */
export function tlsConnectOptions(tls: TlsSettings): TlsConnectOptions | undefined {
  if (!tls.ca && !tls.skipVerify && !tls.cert) return undefined;
  return {
    // Node's `ca` replaces the system roots, whereas Docker's certs.d CAs add to them: a registry
    // behind a public certificate must stay reachable when an extra CA is configured.
    ...(tls.ca ? { ca: [...defaultCertificates(), ...tls.ca] } : {}),
    rejectUnauthorized: !tls.skipVerify,
    ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}),
  };
}

/**
 * What node trusts when no `ca` is given: its root store plus NODE_EXTRA_CA_CERTS, which an
 * explicit `ca` would otherwise drop.
 */
function defaultCertificates(): string[] {
  const extra = process.env['NODE_EXTRA_CA_CERTS'];
  if (!extra) return [...rootCertificates];
  try {
    return [...rootCertificates, readFileSync(extra, 'utf8')];
  } catch {
    return [...rootCertificates];
  }
}

/** A dispatcher for an endpoint's TLS settings; undefined means the global one will do. */
export function tlsAgent(tls: TlsSettings): Agent | undefined {
  const connect = tlsConnectOptions(tls);
  return connect ? new Agent({ connect }) : undefined;
}
