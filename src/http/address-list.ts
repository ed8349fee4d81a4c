import { BlockList, isIP } from 'node:net';

/** Whether `value` is a comma-separated list of IP addresses and CIDR ranges (what parseAddressList takes). */
export function isAddressList(value: string): boolean {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((item) => {
      const [addr, prefix, extra] = item.split('/');
      const family = isIP(addr ?? '');
      if (family === 0 || extra !== undefined) return false;
      return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
    });
}

/** A comma-separated list of IP addresses and CIDR ranges, e.g. "10.0.0.0/8, ::1". */
export function parseAddressList(value: string | undefined): BlockList {
  const list = new BlockList();
  for (const item of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [addr, prefix] = item.split('/') as [string, string | undefined];
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(prefix), type);
  }
  return list;
}

/** Whether an address (v4 or v6, as a string) is in the list; false for anything that is not an address. */
export function listed(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}
