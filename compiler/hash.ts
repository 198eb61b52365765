/** Gate's module ID: the hex SHA-256 of the module bytes (no compiler needed). */
import { createHash } from 'node:crypto'

export function sha256hex (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
