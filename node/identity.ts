/**
 * The node's persistent Ed25519 identity: `<data-dir>/identity.key`, the
 * libp2p protobuf form of the private key, mode 0600. The CLI reads the
 * same file to sign its control-API tokens.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

export const IDENTITY_FILE = 'identity.key'

export async function loadIdentity (dataDir: string): Promise<PrivateKey | undefined> {
  try {
    return privateKeyFromProtobuf(new Uint8Array(await readFile(join(dataDir, IDENTITY_FILE))))
  } catch (err: any) {
    if (err.code === 'ENOENT') return undefined
    throw new Error(`cannot read the node identity in ${dataDir}: ${err.message as string}`)
  }
}

export async function loadOrCreateIdentity (dataDir: string): Promise<PrivateKey> {
  const existing = await loadIdentity(dataDir)
  if (existing != null) return existing
  const key = await generateKeyPair('Ed25519')
  const path = join(dataDir, IDENTITY_FILE)
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, privateKeyToProtobuf(key), { mode: 0o600 })
  await chmod(tmp, 0o600)
  await rename(tmp, path)
  return key
}
