/**
 * Ports for the apps a harness starts as processes. A block is picked below the OS's ephemeral
 * range: ports in that range are handed to outgoing connections (every Kafka client opens several),
 * so a port picked there may be taken by the time an app binds it (EADDRINUSE in CI). Each port of
 * the block is checked free before it is handed out.
 */
import fs from 'node:fs';
import net from 'node:net';

const LOWEST = 20_000;

/** The first port of the OS's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range). */
function ephemeralStart(): number {
  try {
    const [low] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && low > LOWEST) return low;
  } catch {
    // not Linux: the IANA dynamic range starts at 49152
  }
  return 49_152;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** The first port of `span` consecutive free ports below the ephemeral range. */
export async function freePortBlock(span: number): Promise<number> {
  const highest = ephemeralStart() - span;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = LOWEST + Math.floor(Math.random() * (highest - LOWEST));
    let free = true;
    for (let port = base; port < base + span && free; port++) free = await isFree(port);
    if (free) return base;
  }
  throw new Error(`no ${span} consecutive free ports between ${LOWEST} and ${highest}`);
}
