import ipaddr from 'ipaddr.js';

/** Cloud metadata endpoints outside the link-local ranges (Alibaba; AWS over IPv6). */
const METADATA_ADDRESSES = new Set(['100.100.100.200', 'fd00:ec2::254']);

/**
 * Link-local addresses (169.254.0.0/16 with the cloud metadata service, fe80::/10)
 * and metadata endpoints are refused whatever ALLOW_PRIVATE_URLS says;
 * request-filtering-agent handles loopback and private ranges.
 */
export function isAlwaysDenied(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return parsed.range() === 'linkLocal' || METADATA_ADDRESSES.has(parsed.toString());
}
