/**
 * The `random` service: a CALL with `u8 n` gets n bytes of the instance's
 * random stream; n = 0 (or no content) an empty reply. Unlike Gate there is
 * no rate limit, so a reply is never pending and the service has no state of
 * its own (the stream position is saved with the host).
 */
import { CallService, type ServiceContext, type ServiceFactory } from './service.js'

export class RandomService extends CallService {
  readonly name = 'random'

  call (content: Uint8Array): void {
    const n = content.byteLength >= 1 ? content[0] : 0
    this.reply(this.ctx.entropy.take(n))
  }
}

export const random: ServiceFactory = {
  name: 'random',
  revision: '0',
  create: (ctx: ServiceContext) => new RandomService(ctx)
}
