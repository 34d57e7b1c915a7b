import { BlockList, isIP } from 'node:net';

/** The parts of a request the client's address is read from (Node's and restify's requests have them). */
export interface AddressedRequest {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
}

/**
 * Who is asking, for the limits that count per address: the connection's own address, or — only
 * when that connection comes from one of our own proxies (`ARIANE_TRUSTED_PROXIES`) — the address
 * that proxy says it was talking to.
 *
 * `X-Forwarded-For` is a list every proxy appends its peer's address to, so only its right-most
 * entries are written by proxies we run; anything left of them came from the client and can be
 * forged. The address used is therefore the right-most entry that is not itself a trusted proxy,
 * read from the right. A header that is missing, or whose entry at that place is not an address,
 * leaves the connection's address: a misbehaving proxy then counts as one client, which is safe
 * (nobody can pick their own key by writing the header), merely strict. From an untrusted
 * connection the header is ignored altogether.
 *
 * Limits key on {@link ClientAddresses.key}: an IPv4 address as it is, an IPv6 address by its /64
 * network (one household or one server usually holds a whole /64 and could otherwise take a fresh
 * address per request), IPv4 written as IPv6 (`::ffff:1.2.3.4`) as IPv4.
 */
export class ClientAddresses {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  /**
   * `proxies`: addresses (`10.0.0.5`, `::1`) and networks (`10.0.0.0/8`, `fd00::/8`) of our own
   * reverse proxies. Throws RangeError on anything else (the configuration checks it first).
   */
  constructor(proxies: readonly string[] = []) {
    for (const text of proxies) {
      const network = parseNetwork(text);
      if (!network) throw new RangeError(`Not an IP address or network: "${text}"`);
      this.trusted.addSubnet(network.address, network.prefix, network.family);
    }
    this.any = proxies.length > 0;
  }

  /** The client's address (normalised: IPv4-mapped IPv6 as IPv4, no zone), or `unknown`. */
  address(req: AddressedRequest): string {
    const peer = plainAddress(req.socket?.remoteAddress);
    if (peer === undefined) return 'unknown';
    if (!this.any || !this.isTrusted(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const text = Array.isArray(header) ? header.join(',') : header;
    if (typeof text !== 'string' || text.trim() === '') return peer;
    const hops = text.split(',');
    let leftmost: string | undefined;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hopAddress(hops[i]!);
      if (hop === undefined) return peer;
      if (!this.isTrusted(hop)) return hop;
      leftmost = hop;
    }
    // Every hop is one of our proxies (a health check from inside): the first of them asked.
    return leftmost ?? peer;
  }

  /** What the per-address limits count under: {@link address}, an IPv6 address cut to its /64. */
  key(req: AddressedRequest): string {
    return limitKey(this.address(req));
  }

  /** Whether the connection itself comes from a trusted proxy. */
  fromTrustedProxy(req: AddressedRequest): boolean {
    const peer = plainAddress(req.socket?.remoteAddress);
    return this.any && peer !== undefined && this.isTrusted(peer);
  }

  private isTrusted(address: string): boolean {
    return this.trusted.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
}

/** `10.0.0.0/8`, `fd00::/8` or a single address (a /32 or /128), or undefined when it is neither. */
export function parseNetwork(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  if (!m) return undefined;
  const address = plainAddress(m[1]);
  if (address === undefined) return undefined;
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const max = family === 'ipv6' ? 128 : 32;
  const prefix = m[2] === undefined ? max : Number(m[2]);
  if (prefix > max) return undefined;
  return { address, prefix, family };
}

/** An address as sockets give it, normalised; undefined when it is not an IP address. */
function plainAddress(address: string | undefined): string | undefined {
  if (typeof address !== 'string') return undefined;
  let a = address.trim();
  const zone = a.indexOf('%');
  if (zone > 0) a = a.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.exec(a);
  if (mapped) a = mapped[1]!;
  const family = isIP(a);
  if (family === 0) return undefined;
  return family === 6 ? a.toLowerCase() : a;
}

/**
 * One `X-Forwarded-For` entry as an address: a bare address, or one with a port as some proxies
 * write it (`1.2.3.4:5678`, `[2001:db8::1]:443`); undefined when it is anything else.
 */
function hopAddress(hop: string): string | undefined {
  const t = hop.trim();
  if (t.length > 64) return undefined;
  const bracketed = /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\](?::\d{1,5})?$/.exec(t);
  if (bracketed) return isIP(bracketed[1]!.replace(/%.*$/, '')) === 6 ? plainAddress(bracketed[1]) : undefined;
  const withPort = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}):\d{1,5}$/.exec(t);
  return plainAddress(withPort ? withPort[1] : t);
}

/** An IPv6 address as its /64 network (`2001:db8:1:2::/64`); anything else unchanged. */
export function limitKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = expandIpv6(address);
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The eight groups of an IPv6 address (valid, as `isIP` says), as hexadecimal strings. */
function expandIpv6(address: string): string[] {
  let text = address;
  // A trailing IPv4 part (`::ffff:1.2.3.4`, `64:ff9b::1.2.3.4`) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const left = head === '' ? [] : head.split(':');
  if (tail === undefined) return left;
  const right = tail === '' ? [] : tail.split(':');
  return [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
}
