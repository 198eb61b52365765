/** Conversions between executor/node values and wire messages. */
import type { InstanceStatus } from '../../executor/index.js'
import type { InstanceInfo, Mount, Status } from '../../protocols/pb/gate.js'
import type { Managed } from '../instances.js'

/** An exit status with the final UnixFS roots of the instance's filesystem (deploys with write_back mounts). */
export type StatusWithFiles = InstanceStatus & { files?: Mount[] }

export function statusToWire (s: StatusWithFiles): Status {
  return { state: s.state, cause: s.cause ?? '', result: s.result ?? 0, error: s.error ?? '', files: s.files ?? [] }
}

export function statusFromWire (s: Status): StatusWithFiles {
  const out: StatusWithFiles = { state: s.state as InstanceStatus['state'] }
  if (s.files != null && s.files.length > 0) out.files = s.files
  if (s.cause !== '') out.cause = s.cause as InstanceStatus['cause']
  if (s.result !== 0 || s.state === 'halted' || s.state === 'terminated') out.result = s.result
  if (s.error !== '') out.error = s.error
  return out
}

export function instanceInfo (m: Managed): InstanceInfo {
  return { instance: m.id, module: m.moduleHash, status: statusToWire(m.status), owner: m.owner, transient: m.transient, names: m.names }
}
