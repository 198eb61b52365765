/**
 * Control-API tokens, as Gate's (gate-reference §3.5): an EdDSA JWS whose
 * header carries the signer's Ed25519 key as a JWK, claims `exp` (at most
 * 15 minutes ahead) and `aud` (the API's URL). The local API accepts only
 * tokens signed with the node's own identity key, which the CLI reads from
 * the node's data directory.
 */
import type { PrivateKey, PublicKey } from '@libp2p/interface'

export const MAX_TOKEN_LIFETIME_S = 15 * 60

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url')
const enc = (o: unknown): string => b64u(new TextEncoder().encode(JSON.stringify(o)))

export async function signToken (key: PrivateKey, audience: string, lifetimeS = 60): Promise<string> {
  const header = { alg: 'EdDSA', jwk: { kty: 'OKP', crv: 'Ed25519', x: b64u(key.publicKey.raw) } }
  const claims = { exp: Math.floor(Date.now() / 1000) + lifetimeS, aud: [audience] }
  const signing = `${enc(header)}.${enc(claims)}`
  const sig = await key.sign(new TextEncoder().encode(signing))
  return `${signing}.${b64u(sig)}`
}

export class AuthError extends Error {
  static name = 'AuthError'
  constructor (message: string) { super(message); this.name = 'AuthError' }
}

/** Check a bearer token against the node's public key and the API audience. */
export async function verifyToken (authorization: string | undefined, key: PublicKey, audience: string): Promise<void> {
  if (authorization == null || !authorization.startsWith('Bearer ')) throw new AuthError('missing bearer token')
  const parts = authorization.slice(7).trim().split('.')
  if (parts.length !== 3) throw new AuthError('malformed token')
  let header: any, claims: any
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString())
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString())
  } catch { throw new AuthError('malformed token') }
  if (header?.alg !== 'EdDSA' || header?.jwk?.kty !== 'OKP' || header?.jwk?.crv !== 'Ed25519') throw new AuthError('token must be EdDSA with an Ed25519 JWK')
  if (header.jwk.x !== b64u(key.raw)) throw new AuthError('token is not signed by this node\'s key')
  const now = Math.floor(Date.now() / 1000)
  if (typeof claims?.exp !== 'number' || claims.exp < now) throw new AuthError('token expired')
  if (claims.exp > now + MAX_TOKEN_LIFETIME_S) throw new AuthError('token expires too far in the future')
  if (claims.aud != null && !(Array.isArray(claims.aud) ? claims.aud : [claims.aud]).includes(audience)) throw new AuthError('token is for another audience')
  const ok = await key.verify(new TextEncoder().encode(`${parts[0]}.${parts[1]}`), Buffer.from(parts[2], 'base64url'))
  if (!ok) throw new AuthError('bad token signature')
}
