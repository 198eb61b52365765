/** Conversions between executor/node values and wire messages. */
import type { InstanceStatus } from '../../executor/index.js'
import type { InstanceInfo, Status } from '../../protocols/pb/gate.js'
import type { Managed } from '../instances.js'

export function statusToWire (s: InstanceStatus): Status {
  return { state: s.state, cause: s.cause ?? '', result: s.result ?? 0, error: s.error ?? '' }
}

export function statusFromWire (s: Status): InstanceStatus {
  const out: InstanceStatus = { state: s.state as InstanceStatus['state'] }
  if (s.cause !== '') out.cause = s.cause as InstanceStatus['cause']
  if (s.result !== 0 || s.state === 'halted' || s.state === 'terminated') out.result = s.result
  if (s.error !== '') out.error = s.error
  return out
}

export function instanceInfo (m: Managed): InstanceInfo {
  return { instance: m.id, module: m.moduleHash, status: statusToWire(m.status), owner: m.owner, transient: m.transient, names: m.names }
}
