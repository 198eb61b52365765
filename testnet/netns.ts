/**
 * One network namespace per testnet node, joined by veth pairs to a bridge
 * that lives in a hub namespace of its own (the host's own namespace is not
 * touched). Node i (1-based) is 10.77.0.<i>/24 on its `eth0`. Cutting a node
 * off sets the hub end of its cable down: packets vanish without a reset,
 * as when a cable is pulled or a route dies; healing sets it up again.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { NetnsError } from './errors.js'

const run = promisify(execFile)

export const SUBNET_PREFIX = '10.77.0.'

export interface NetnsLayout {
  /** Namespace names are `<prefix>-hub` and `<prefix>-<i>`. */
  prefix: string
}

export const hubName = (l: NetnsLayout): string => `${l.prefix}-hub`
export const nodeNs = (l: NetnsLayout, i: number): string => `${l.prefix}-${i}`
export const nodeIp = (i: number): string => `${SUBNET_PREFIX}${i}`
const port = (i: number): string => `p${i}`

async function ip (...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('ip', args, { timeout: 10_000 })
    return stdout
  } catch (err: any) {
    throw new NetnsError(`ip ${args.join(' ')}: ${String(err.stderr ?? err.message).trim()}`)
  }
}

/** Whether this process may make namespaces (root on Linux with `ip`). */
export async function netnsAvailable (): Promise<boolean> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false
  try { await run('ip', ['netns', 'list'], { timeout: 5000 }); return true } catch { return false }
}

export async function createHub (l: NetnsLayout): Promise<void> {
  if (!(await netnsAvailable())) throw new NetnsError('--netns needs root on Linux with iproute2 (ip netns)')
  const hub = hubName(l)
  await ip('netns', 'add', hub)
  await ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge')
  await ip('-n', hub, 'link', 'set', 'br0', 'up')
}

/** Node i's namespace, its cable to the hub, its address; loopback up. */
export async function addNode (l: NetnsLayout, i: number): Promise<string> {
  if (i < 1 || i > 250) throw new NetnsError(`node index ${i} is outside 1..250`)
  const ns = nodeNs(l, i)
  const hub = hubName(l)
  await ip('netns', 'add', ns)
  await ip('-n', hub, 'link', 'add', port(i), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
  await ip('-n', hub, 'link', 'set', port(i), 'master', 'br0', 'up')
  await ip('-n', ns, 'addr', 'add', `${nodeIp(i)}/24`, 'dev', 'eth0')
  await ip('-n', ns, 'link', 'set', 'eth0', 'up')
  await ip('-n', ns, 'link', 'set', 'lo', 'up')
  return ns
}

/** Pull node i's cable (`up = false`) or plug it back in. */
export async function setLink (l: NetnsLayout, i: number, up: boolean): Promise<void> {
  await ip('-n', hubName(l), 'link', 'set', port(i), up ? 'up' : 'down')
}

/** Delete the namespaces of this layout (veths go with them); missing ones are fine. */
export async function destroy (l: NetnsLayout): Promise<void> {
  const listed = (await ip('netns', 'list')).split('\n').map(s => s.split(' ')[0]).filter(s => s.startsWith(l.prefix + '-'))
  for (const ns of listed) await ip('netns', 'del', ns).catch(() => {})
}
