/**
 * The client's address for the per-address limits: the connection's, or, from our own proxies only,
 * the right-most `X-Forwarded-For` entry that is not one of them (issue 17 item 4).
 */
import { ClientAddresses } from '../../src/http';
import { limitKey, parseNetwork } from '../../src/http/ClientAddresses';

const req = (remoteAddress: string | undefined, xff?: string | string[]) => ({
  socket: { remoteAddress },
  headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
});

describe('ClientAddresses', () => {
  const proxied = new ClientAddresses(['10.0.0.5', '192.168.0.0/16', 'fd00::/8']);

  test('without trusted proxies, the connection is the client and X-Forwarded-For is ignored', () => {
    const none = new ClientAddresses();
    expect(none.address(req('203.0.113.7'))).toBe('203.0.113.7');
    expect(none.address(req('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
    expect(none.address(req('10.0.0.5', '198.51.100.1'))).toBe('10.0.0.5');
    expect(none.fromTrustedProxy(req('10.0.0.5'))).toBe(false);
  });

  test('from an untrusted connection the header is ignored: nobody picks their own key', () => {
    expect(proxied.address(req('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
    expect(proxied.address(req('10.0.0.6', '198.51.100.1'))).toBe('10.0.0.6');
    expect(proxied.fromTrustedProxy(req('203.0.113.7'))).toBe(false);
  });

  test('from a trusted proxy, the address it was talking to', () => {
    expect(proxied.fromTrustedProxy(req('10.0.0.5'))).toBe(true);
    expect(proxied.address(req('10.0.0.5', '198.51.100.1'))).toBe('198.51.100.1');
    // A forged entry left of the real one changes nothing.
    expect(proxied.address(req('10.0.0.5', '1.1.1.1, 198.51.100.1'))).toBe('198.51.100.1');
  });

  test('chains: trusted hops are skipped from the right, the first untrusted one is the client', () => {
    expect(proxied.address(req('10.0.0.5', '6.6.6.6, 198.51.100.1, 192.168.3.4'))).toBe('198.51.100.1');
    expect(proxied.address(req('10.0.0.5', '198.51.100.1,192.168.3.4,  10.0.0.5'))).toBe('198.51.100.1');
    // Several headers are one list, in order.
    expect(proxied.address(req('10.0.0.5', ['6.6.6.6, 198.51.100.1', '192.168.3.4']))).toBe('198.51.100.1');
    // Every hop is ours (a check from inside): the first of them.
    expect(proxied.address(req('10.0.0.5', '192.168.1.1, 192.168.2.2'))).toBe('192.168.1.1');
  });

  test('entries with ports, as some proxies write them', () => {
    expect(proxied.address(req('10.0.0.5', '198.51.100.1:51234'))).toBe('198.51.100.1');
    expect(proxied.address(req('10.0.0.5', '[2001:db8::1]:443'))).toBe('2001:db8::1');
    expect(proxied.address(req('10.0.0.5', '[2001:db8::2]'))).toBe('2001:db8::2');
  });

  test('a missing, empty or malformed header leaves the connection address', () => {
    for (const junk of ['', ' ', ',', 'unknown', 'not an address', '198.51.100.1, junk', '999.1.1.1', '1.2.3', '::g', '[1.2.3.4]', `${'1'.repeat(100)}`, '198.51.100.1,,', 'x'.repeat(20_000), '<script>', '\u0000']) {
      expect(proxied.address(req('10.0.0.5', junk))).toBe('10.0.0.5');
    }
    expect(proxied.address(req('10.0.0.5'))).toBe('10.0.0.5');
    // Junk left of the real client is never read.
    expect(proxied.address(req('10.0.0.5', 'junk, 198.51.100.1'))).toBe('198.51.100.1');
  });

  test('IPv4 written as IPv6 is IPv4, for the connection, the header and the trusted list', () => {
    expect(proxied.address(req('::ffff:203.0.113.7'))).toBe('203.0.113.7');
    expect(proxied.address(req('::ffff:10.0.0.5', '::ffff:198.51.100.1'))).toBe('198.51.100.1');
    expect(new ClientAddresses(['::ffff:127.0.0.1']).address(req('127.0.0.1', '198.51.100.1'))).toBe('198.51.100.1');
  });

  test('IPv6 proxies by network; no socket address is "unknown"', () => {
    expect(proxied.address(req('fd12::1', '2001:db8::9'))).toBe('2001:db8::9');
    expect(proxied.address(req('fe80::1%eth0', '2001:db8::9'))).toBe('fe80::1');
    expect(proxied.address(req(undefined, '2001:db8::9'))).toBe('unknown');
  });

  test('keys: IPv4 as is, IPv6 by its /64 network', () => {
    expect(proxied.key(req('203.0.113.7'))).toBe('203.0.113.7');
    const a = proxied.key(req('2001:db8:1:2:aaaa::1'));
    const b = proxied.key(req('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'));
    expect(a).toBe('2001:db8:1:2::/64');
    expect(b).toBe(a);
    expect(proxied.key(req('2001:db8:1:3::1'))).not.toBe(a);
    expect(limitKey('::1')).toBe('0:0:0:0::/64');
    expect(limitKey('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(limitKey('64:ff9b::1.2.3.4')).toBe('64:ff9b:0:0::/64');
    expect(proxied.key(req('10.0.0.5', '2001:db8:1:2::77'))).toBe(a);
  });

  test('networks are parsed, and anything else is refused', () => {
    expect(parseNetwork('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseNetwork('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'host', '10.0.0.0/', '', '/8']) expect(parseNetwork(bad)).toBeUndefined();
    expect(() => new ClientAddresses(['nope'])).toThrow(RangeError);
  });
});
