/**
 * The public testnet's description (`testnet/public.json`, or the file in
 * `$GATE_TESTNET_FILE`): which DHT and which bootstrap peers.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { TestnetError } from './errors.js'

export interface PublicTestnet {
  name: string
  dht: 'gate' | 'amino'
  bootstrap: string[]
  /** Where it was read from. */
  file: string
}

/** testnet/public.json in the source tree (this file runs from dist/testnet/). */
export const PUBLIC_TESTNET_FILE = join(import.meta.dirname, '..', '..', 'testnet', 'public.json')

export async function loadPublicTestnet (file = process.env.GATE_TESTNET_FILE ?? PUBLIC_TESTNET_FILE): Promise<PublicTestnet> {
  let raw: any
  try { raw = JSON.parse(await readFile(file, 'utf8')) } catch (err) { throw new TestnetError(`cannot read the testnet list ${file}: ${(err as Error).message}`) }
  if (raw == null || !Array.isArray(raw.bootstrap) || raw.bootstrap.length === 0) throw new TestnetError(`${file} lists no bootstrap peers`)
  for (const a of raw.bootstrap) {
    try {
      if (multiaddr(String(a)).getComponents().find(c => c.name === 'p2p') == null) throw new Error('no /p2p/<peer-id>')
    } catch (err) { throw new TestnetError(`${file}: bad bootstrap address ${JSON.stringify(a)}: ${(err as Error).message}`) }
  }
  const dht = raw.dht === 'gate' ? 'gate' : 'amino'
  return { name: String(raw.name ?? 'public'), dht, bootstrap: raw.bootstrap.map(String), file }
}
