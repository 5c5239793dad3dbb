import { hostname, networkInterfaces } from "node:os";

// What to print for a server bound to every interface (`--host 0.0.0.0` or `::`): 0.0.0.0 is not an
// address anyone can open, and 127.0.0.1 works only on this machine, which is not why the server was
// bound that way. Its name and its own addresses are what another machine can use.

/** True for the wildcard bindings. */
export function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** The machine's non-loopback addresses (IPv4 only for `0.0.0.0`; also IPv6, without link-local ones, for `::`). */
function ownAddresses(ipv6: boolean): string[] {
  const addresses: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      if (entry.family === "IPv4") addresses.push(entry.address);
      else if (ipv6 && !entry.address.toLowerCase().startsWith("fe80:")) addresses.push(entry.address);
    }
  }
  return addresses;
}

/**
 * The hosts another machine can use to reach a server bound to `host`: for a wildcard, this machine's
 * name and then its addresses (the loopback address only when it has no other); otherwise `host`.
 */
export function reachableHosts(host: string): string[] {
  if (!isWildcard(host)) return [host];
  const name = hostname();
  const named = name && name !== "localhost" ? [name] : [];
  const found = [...named, ...ownAddresses(host !== "0.0.0.0")];
  return found.length > 0 ? found : ["127.0.0.1"];
}

/** `host` as it goes in a URL (IPv6 addresses in brackets). */
export function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
