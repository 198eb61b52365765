/**
 * The `identity` service: CALL content byte 0 gets the principal id
 * (`local` or `ed25519:...`), byte 1 the instance UUID, anything else an
 * empty reply.
 */
import { CallService, type ServiceContext, type ServiceFactory } from './service.js'

export const IDENTITY_PRINCIPAL = 0
export const IDENTITY_INSTANCE = 1

export class IdentityService extends CallService {
  readonly name = 'identity'

  call (content: Uint8Array): void {
    const op = content.byteLength === 1 ? content[0] : -1
    const text = op === IDENTITY_PRINCIPAL ? this.ctx.principal : op === IDENTITY_INSTANCE ? this.ctx.instanceId : ''
    this.reply(new TextEncoder().encode(text))
  }
}

export const identity: ServiceFactory = {
  name: 'identity',
  revision: '0',
  create: (ctx: ServiceContext) => new IdentityService(ctx)
}
