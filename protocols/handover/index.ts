/**
 * @packageDocumentation
 * The handover protocol (/gate/migrate/2.0.0): how a source and a target
 * agree that exactly one of them runs a migrated instance. Messages and
 * defaults; the node's two sides live in node/migrate.ts and
 * node/handlers/migrate.ts.
 */
export * from './constants.js'
export { HandoverCodec, type HandoverMessage, type Outcome } from './messages.js'
