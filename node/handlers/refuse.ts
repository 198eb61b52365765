/**
 * Answer a request with an error. Every response message starts with
 * `code = 1, error = 2`, so one encoding (MessageAck's) serves them all.
 */
import type { MessageChannel } from '../../protocols/channel.js'
import { errorCode } from '../../protocols/errors.js'
import { ErrorCode, MessageAck } from '../../protocols/pb/gate.js'

export async function refuse (ch: MessageChannel, err: unknown): Promise<void> {
  const code = errorCode(err)
  const message = code === ErrorCode.INTERNAL ? `internal error: ${(err as Error).message}` : (err as Error).message
  try {
    await ch.write(MessageAck, { code, error: message })
    await ch.close()
  } catch {
    ch.abort()
  }
}
