/**
 * The `catalog` service: a CALL with content "json" gets
 * `{"services":[{"name","revision"}...]}` sorted by name, tab-indented, with
 * a trailing newline. Anything else gets an empty reply.
 */
import { CallService, type ServiceContext, type ServiceFactory } from './service.js'

export class CatalogService extends CallService {
  readonly name = 'catalog'

  call (content: Uint8Array): void {
    if (new TextDecoder().decode(content) !== 'json') { this.reply(); return }
    const services = this.ctx.catalog()
      .map(s => ({ name: s.name, revision: s.revision }))
      .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    this.reply(new TextEncoder().encode(JSON.stringify({ services }, null, '\t') + '\n'))
  }
}

export const catalog: ServiceFactory = {
  name: 'catalog',
  revision: '0',
  create: (ctx: ServiceContext) => new CatalogService(ctx)
}
