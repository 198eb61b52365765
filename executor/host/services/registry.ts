/** The services this host knows how to run, by name. */
import { catalog } from './catalog.js'
import { identity } from './identity.js'
import { origin } from './origin.js'
import { peer } from './peer.js'
import { random } from './random.js'
import type { ServiceFactory } from './service.js'

export const DEFAULT_SERVICES = ['origin', 'catalog', 'identity', 'random']

export const FACTORIES: Readonly<Record<string, ServiceFactory>> = { origin, catalog, identity, random, peer }
