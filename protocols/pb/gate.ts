import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum ErrorCode {
  OK = 'OK',
  BAD_REQUEST = 'BAD_REQUEST',
  UNAUTHORIZED = 'UNAUTHORIZED',
  NOT_FOUND = 'NOT_FOUND',
  TOO_LARGE = 'TOO_LARGE',
  RATE_LIMITED = 'RATE_LIMITED',
  CONFLICT = 'CONFLICT',
  UNAVAILABLE = 'UNAVAILABLE',
  INTERNAL = 'INTERNAL',
  RESOURCE_EXHAUSTED = 'RESOURCE_EXHAUSTED'
}

enum __ErrorCodeValues {
  OK = 0,
  BAD_REQUEST = 1,
  UNAUTHORIZED = 2,
  NOT_FOUND = 3,
  TOO_LARGE = 4,
  RATE_LIMITED = 5,
  CONFLICT = 6,
  UNAVAILABLE = 7,
  INTERNAL = 8,
  RESOURCE_EXHAUSTED = 9
}

export namespace ErrorCode {
  export const codec = (): Codec<ErrorCode> => {
    return enumeration<ErrorCode>(__ErrorCodeValues)
  }
}

export interface Status {
  state: string
  cause: string
  result: number
  error: string
  files: Mount[]
}

export namespace Status {
  let _codec: Codec<Status>

  export const codec = (): Codec<Status> => {
    if (_codec == null) {
      _codec = message<Status>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(10)
          w.string(obj.state)
        }

        if ((obj.cause != null && obj.cause !== '')) {
          w.uint32(18)
          w.string(obj.cause)
        }

        if ((obj.result != null && obj.result !== 0)) {
          w.uint32(24)
          w.int32(obj.result)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(34)
          w.string(obj.error)
        }

        if (obj.files != null && obj.files.length > 0) {
          for (const value of obj.files) {
            w.uint32(42)
            Mount.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          state: '',
          cause: '',
          result: 0,
          error: '',
          files: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.state = reader.string()
              break
            }
            case 2: {
              obj.cause = reader.string()
              break
            }
            case 3: {
              obj.result = reader.int32()
              break
            }
            case 4: {
              obj.error = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.files != null && obj.files.length === opts.limits.files) {
                throw new MaxLengthError('Decode error - repeated field "files" had too many elements')
              }

              obj.files.push(Mount.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.files$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          files: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.state`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cause`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.result`,
                value: reader.int32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 5: {
              if (opts.limits?.files != null && obj.files === opts.limits.files) {
                throw new MaxLengthError('Streaming decode error - repeated field "files" had too many elements')
              }

              for (const evt of Mount.codec().stream(reader, reader.uint32(), `${prefix}.files[]`, {
                limits: opts.limits?.files$
              })) {
                yield {
                  ...evt,
                  index: obj.files
                }
              }

              obj.files++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface StatusStateFieldEvent {
    field: '$.state'
    value: string
  }

  export interface StatusCauseFieldEvent {
    field: '$.cause'
    value: string
  }

  export interface StatusResultFieldEvent {
    field: '$.result'
    value: number
  }

  export interface StatusErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface StatusFilesGuestFieldEvent {
    field: '$.files[].guest'
    value: string
    index: number
  }

  export interface StatusFilesCidFieldEvent {
    field: '$.files[].cid'
    value: string
    index: number
  }

  export interface StatusFilesReadonlyFieldEvent {
    field: '$.files[].readonly'
    value: boolean
    index: number
  }

  export interface StatusFilesWriteBackFieldEvent {
    field: '$.files[].writeBack'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Status>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Status.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Status>): Status {
    return decodeMessage(buf, Status.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Status>): Generator<StatusStateFieldEvent | StatusCauseFieldEvent | StatusResultFieldEvent | StatusErrorFieldEvent | StatusFilesGuestFieldEvent | StatusFilesCidFieldEvent | StatusFilesReadonlyFieldEvent | StatusFilesWriteBackFieldEvent> {
    return streamMessage(buf, Status.codec(), opts)
  }
}

export interface Mount {
  guest: string
  cid: string
  readonly: boolean
  writeBack: boolean
}

export namespace Mount {
  let _codec: Codec<Mount>

  export const codec = (): Codec<Mount> => {
    if (_codec == null) {
      _codec = message<Mount>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.guest != null && obj.guest !== '')) {
          w.uint32(10)
          w.string(obj.guest)
        }

        if ((obj.cid != null && obj.cid !== '')) {
          w.uint32(18)
          w.string(obj.cid)
        }

        if ((obj.readonly != null && obj.readonly !== false)) {
          w.uint32(24)
          w.bool(obj.readonly)
        }

        if ((obj.writeBack != null && obj.writeBack !== false)) {
          w.uint32(32)
          w.bool(obj.writeBack)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          guest: '',
          cid: '',
          readonly: false,
          writeBack: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.guest = reader.string()
              break
            }
            case 2: {
              obj.cid = reader.string()
              break
            }
            case 3: {
              obj.readonly = reader.bool()
              break
            }
            case 4: {
              obj.writeBack = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.guest`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cid`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.readonly`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.writeBack`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MountGuestFieldEvent {
    field: '$.guest'
    value: string
  }

  export interface MountCidFieldEvent {
    field: '$.cid'
    value: string
  }

  export interface MountReadonlyFieldEvent {
    field: '$.readonly'
    value: boolean
  }

  export interface MountWriteBackFieldEvent {
    field: '$.writeBack'
    value: boolean
  }

  export function encode (obj: Partial<Mount>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Mount.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Mount>): Mount {
    return decodeMessage(buf, Mount.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Mount>): Generator<MountGuestFieldEvent | MountCidFieldEvent | MountReadonlyFieldEvent | MountWriteBackFieldEvent> {
    return streamMessage(buf, Mount.codec(), opts)
  }
}

export interface EnvVar {
  key: string
  value: string
}

export namespace EnvVar {
  let _codec: Codec<EnvVar>

  export const codec = (): Codec<EnvVar> => {
    if (_codec == null) {
      _codec = message<EnvVar>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key !== '')) {
          w.uint32(10)
          w.string(obj.key)
        }

        if ((obj.value != null && obj.value !== '')) {
          w.uint32(18)
          w.string(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: '',
          value: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.string()
              break
            }
            case 2: {
              obj.value = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.key`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.value`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface EnvVarKeyFieldEvent {
    field: '$.key'
    value: string
  }

  export interface EnvVarValueFieldEvent {
    field: '$.value'
    value: string
  }

  export function encode (obj: Partial<EnvVar>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, EnvVar.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EnvVar>): EnvVar {
    return decodeMessage(buf, EnvVar.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EnvVar>): Generator<EnvVarKeyFieldEvent | EnvVarValueFieldEvent> {
    return streamMessage(buf, EnvVar.codec(), opts)
  }
}

export interface DeployRequest {
  module: Uint8Array<ArrayBuffer>
  cid: string
  args: string[]
  env: EnvVar[]
  entry: string
  attach: boolean
  persist: boolean
  memoryPages: number
  cpuTimeMs: number
  mounts: Mount[]
  tty: number
}

export namespace DeployRequest {
  let _codec: Codec<DeployRequest>

  export const codec = (): Codec<DeployRequest> => {
    if (_codec == null) {
      _codec = message<DeployRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.module != null && obj.module.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.module)
        }

        if ((obj.cid != null && obj.cid !== '')) {
          w.uint32(18)
          w.string(obj.cid)
        }

        if (obj.args != null && obj.args.length > 0) {
          for (const value of obj.args) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (obj.env != null && obj.env.length > 0) {
          for (const value of obj.env) {
            w.uint32(34)
            EnvVar.codec().encode(value, w)
          }
        }

        if ((obj.entry != null && obj.entry !== '')) {
          w.uint32(42)
          w.string(obj.entry)
        }

        if ((obj.attach != null && obj.attach !== false)) {
          w.uint32(48)
          w.bool(obj.attach)
        }

        if ((obj.persist != null && obj.persist !== false)) {
          w.uint32(56)
          w.bool(obj.persist)
        }

        if ((obj.memoryPages != null && obj.memoryPages !== 0)) {
          w.uint32(64)
          w.uint32(obj.memoryPages)
        }

        if ((obj.cpuTimeMs != null && obj.cpuTimeMs !== 0)) {
          w.uint32(72)
          w.uint32(obj.cpuTimeMs)
        }

        if (obj.mounts != null && obj.mounts.length > 0) {
          for (const value of obj.mounts) {
            w.uint32(82)
            Mount.codec().encode(value, w)
          }
        }

        if ((obj.tty != null && obj.tty !== 0)) {
          w.uint32(88)
          w.uint32(obj.tty)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          module: uint8ArrayAlloc(0),
          cid: '',
          args: [],
          env: [],
          entry: '',
          attach: false,
          persist: false,
          memoryPages: 0,
          cpuTimeMs: 0,
          mounts: [],
          tty: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.module = reader.bytes()
              break
            }
            case 2: {
              obj.cid = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.args != null && obj.args.length === opts.limits.args) {
                throw new MaxLengthError('Decode error - repeated field "args" had too many elements')
              }

              obj.args.push(reader.string())
              break
            }
            case 4: {
              if (opts.limits?.env != null && obj.env.length === opts.limits.env) {
                throw new MaxLengthError('Decode error - repeated field "env" had too many elements')
              }

              obj.env.push(EnvVar.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.env$
              }))
              break
            }
            case 5: {
              obj.entry = reader.string()
              break
            }
            case 6: {
              obj.attach = reader.bool()
              break
            }
            case 7: {
              obj.persist = reader.bool()
              break
            }
            case 8: {
              obj.memoryPages = reader.uint32()
              break
            }
            case 9: {
              obj.cpuTimeMs = reader.uint32()
              break
            }
            case 10: {
              if (opts.limits?.mounts != null && obj.mounts.length === opts.limits.mounts) {
                throw new MaxLengthError('Decode error - repeated field "mounts" had too many elements')
              }

              obj.mounts.push(Mount.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.mounts$
              }))
              break
            }
            case 11: {
              obj.tty = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          args: 0,
          env: 0,
          mounts: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.module`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cid`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.args != null && obj.args === opts.limits.args) {
                throw new MaxLengthError('Streaming decode error - repeated field "args" had too many elements')
              }

              yield {
                field: `${prefix}.args[]`,
                index: obj.args,
                value: reader.string()
              }

              obj.args++

              break
            }
            case 4: {
              if (opts.limits?.env != null && obj.env === opts.limits.env) {
                throw new MaxLengthError('Streaming decode error - repeated field "env" had too many elements')
              }

              for (const evt of EnvVar.codec().stream(reader, reader.uint32(), `${prefix}.env[]`, {
                limits: opts.limits?.env$
              })) {
                yield {
                  ...evt,
                  index: obj.env
                }
              }

              obj.env++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.entry`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.attach`,
                value: reader.bool()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.persist`,
                value: reader.bool()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.memoryPages`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.cpuTimeMs`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              if (opts.limits?.mounts != null && obj.mounts === opts.limits.mounts) {
                throw new MaxLengthError('Streaming decode error - repeated field "mounts" had too many elements')
              }

              for (const evt of Mount.codec().stream(reader, reader.uint32(), `${prefix}.mounts[]`, {
                limits: opts.limits?.mounts$
              })) {
                yield {
                  ...evt,
                  index: obj.mounts
                }
              }

              obj.mounts++

              break
            }
            case 11: {
              yield {
                field: `${prefix}.tty`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DeployRequestModuleFieldEvent {
    field: '$.module'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DeployRequestCidFieldEvent {
    field: '$.cid'
    value: string
  }

  export interface DeployRequestArgsFieldEvent {
    field: '$.args[]'
    index: number
    value: string
  }

  export interface DeployRequestEnvKeyFieldEvent {
    field: '$.env[].key'
    value: string
    index: number
  }

  export interface DeployRequestEnvValueFieldEvent {
    field: '$.env[].value'
    value: string
    index: number
  }

  export interface DeployRequestEntryFieldEvent {
    field: '$.entry'
    value: string
  }

  export interface DeployRequestAttachFieldEvent {
    field: '$.attach'
    value: boolean
  }

  export interface DeployRequestPersistFieldEvent {
    field: '$.persist'
    value: boolean
  }

  export interface DeployRequestMemoryPagesFieldEvent {
    field: '$.memoryPages'
    value: number
  }

  export interface DeployRequestCpuTimeMsFieldEvent {
    field: '$.cpuTimeMs'
    value: number
  }

  export interface DeployRequestMountsGuestFieldEvent {
    field: '$.mounts[].guest'
    value: string
    index: number
  }

  export interface DeployRequestMountsCidFieldEvent {
    field: '$.mounts[].cid'
    value: string
    index: number
  }

  export interface DeployRequestMountsReadonlyFieldEvent {
    field: '$.mounts[].readonly'
    value: boolean
    index: number
  }

  export interface DeployRequestMountsWriteBackFieldEvent {
    field: '$.mounts[].writeBack'
    value: boolean
    index: number
  }

  export interface DeployRequestTtyFieldEvent {
    field: '$.tty'
    value: number
  }

  export function encode (obj: Partial<DeployRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DeployRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeployRequest>): DeployRequest {
    return decodeMessage(buf, DeployRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeployRequest>): Generator<DeployRequestModuleFieldEvent | DeployRequestCidFieldEvent | DeployRequestArgsFieldEvent | DeployRequestEnvKeyFieldEvent | DeployRequestEnvValueFieldEvent | DeployRequestEntryFieldEvent | DeployRequestAttachFieldEvent | DeployRequestPersistFieldEvent | DeployRequestMemoryPagesFieldEvent | DeployRequestCpuTimeMsFieldEvent | DeployRequestMountsGuestFieldEvent | DeployRequestMountsCidFieldEvent | DeployRequestMountsReadonlyFieldEvent | DeployRequestMountsWriteBackFieldEvent | DeployRequestTtyFieldEvent> {
    return streamMessage(buf, DeployRequest.codec(), opts)
  }
}

export interface DeployResponse {
  code: ErrorCode
  error: string
  instance: string
  module: string
}

export namespace DeployResponse {
  let _codec: Codec<DeployResponse>

  export const codec = (): Codec<DeployResponse> => {
    if (_codec == null) {
      _codec = message<DeployResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.code != null && __ErrorCodeValues[obj.code] !== 0) {
          w.uint32(8)
          ErrorCode.codec().encode(obj.code, w)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if ((obj.instance != null && obj.instance !== '')) {
          w.uint32(26)
          w.string(obj.instance)
        }

        if ((obj.module != null && obj.module !== '')) {
          w.uint32(34)
          w.string(obj.module)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: ErrorCode.OK,
          error: '',
          instance: '',
          module: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = ErrorCode.codec().decode(reader)
              break
            }
            case 2: {
              obj.error = reader.string()
              break
            }
            case 3: {
              obj.instance = reader.string()
              break
            }
            case 4: {
              obj.module = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: ErrorCode.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.instance`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.module`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DeployResponseCodeFieldEvent {
    field: '$.code'
    value: ErrorCode
  }

  export interface DeployResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface DeployResponseInstanceFieldEvent {
    field: '$.instance'
    value: string
  }

  export interface DeployResponseModuleFieldEvent {
    field: '$.module'
    value: string
  }

  export function encode (obj: Partial<DeployResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DeployResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeployResponse>): DeployResponse {
    return decodeMessage(buf, DeployResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeployResponse>): Generator<DeployResponseCodeFieldEvent | DeployResponseErrorFieldEvent | DeployResponseInstanceFieldEvent | DeployResponseModuleFieldEvent> {
    return streamMessage(buf, DeployResponse.codec(), opts)
  }
}

export interface IoFrame {
  kind: IoFrame.Kind
  data: Uint8Array<ArrayBuffer>
  status?: Status
}

export namespace IoFrame {
  export enum Kind {
    STDIN = 'STDIN',
    STDOUT = 'STDOUT',
    STDERR = 'STDERR',
    STATUS = 'STATUS',
    DETACH = 'DETACH',
    MOVED = 'MOVED'
  }

  enum __KindValues {
    STDIN = 0,
    STDOUT = 1,
    STDERR = 2,
    STATUS = 3,
    DETACH = 4,
    MOVED = 5
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<IoFrame>

  export const codec = (): Codec<IoFrame> => {
    if (_codec == null) {
      _codec = message<IoFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          IoFrame.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if (obj.status != null) {
          w.uint32(26)
          Status.codec().encode(obj.status, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.STDIN,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = IoFrame.Kind.codec().decode(reader)
              break
            }
            case 2: {
              obj.data = reader.bytes()
              break
            }
            case 3: {
              obj.status = Status.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.status
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: IoFrame.Kind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield * Status.codec().stream(reader, reader.uint32(), `${prefix}.status`, {
                limits: opts.limits?.status
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface IoFrameKindFieldEvent {
    field: '$.kind'
    value: IoFrame.Kind
  }

  export interface IoFrameDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface IoFrameStatusStateFieldEvent {
    field: '$.status.state'
    value: string
  }

  export interface IoFrameStatusCauseFieldEvent {
    field: '$.status.cause'
    value: string
  }

  export interface IoFrameStatusResultFieldEvent {
    field: '$.status.result'
    value: number
  }

  export interface IoFrameStatusErrorFieldEvent {
    field: '$.status.error'
    value: string
  }

  export interface IoFrameStatusFilesGuestFieldEvent {
    field: '$.status.files[].guest'
    value: string
    index: number
  }

  export interface IoFrameStatusFilesCidFieldEvent {
    field: '$.status.files[].cid'
    value: string
    index: number
  }

  export interface IoFrameStatusFilesReadonlyFieldEvent {
    field: '$.status.files[].readonly'
    value: boolean
    index: number
  }

  export interface IoFrameStatusFilesWriteBackFieldEvent {
    field: '$.status.files[].writeBack'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<IoFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, IoFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IoFrame>): IoFrame {
    return decodeMessage(buf, IoFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IoFrame>): Generator<IoFrameKindFieldEvent | IoFrameDataFieldEvent | IoFrameStatusStateFieldEvent | IoFrameStatusCauseFieldEvent | IoFrameStatusResultFieldEvent | IoFrameStatusErrorFieldEvent | IoFrameStatusFilesGuestFieldEvent | IoFrameStatusFilesCidFieldEvent | IoFrameStatusFilesReadonlyFieldEvent | IoFrameStatusFilesWriteBackFieldEvent> {
    return streamMessage(buf, IoFrame.codec(), opts)
  }
}

export interface AttachRequest {
  instance: string
}

export namespace AttachRequest {
  let _codec: Codec<AttachRequest>

  export const codec = (): Codec<AttachRequest> => {
    if (_codec == null) {
      _codec = message<AttachRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.instance != null && obj.instance !== '')) {
          w.uint32(10)
          w.string(obj.instance)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          instance: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.instance = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.instance`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AttachRequestInstanceFieldEvent {
    field: '$.instance'
    value: string
  }

  export function encode (obj: Partial<AttachRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AttachRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttachRequest>): AttachRequest {
    return decodeMessage(buf, AttachRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttachRequest>): Generator<AttachRequestInstanceFieldEvent> {
    return streamMessage(buf, AttachRequest.codec(), opts)
  }
}

export interface AttachResponse {
  code: ErrorCode
  error: string
}

export namespace AttachResponse {
  let _codec: Codec<AttachResponse>

  export const codec = (): Codec<AttachResponse> => {
    if (_codec == null) {
      _codec = message<AttachResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.code != null && __ErrorCodeValues[obj.code] !== 0) {
          w.uint32(8)
          ErrorCode.codec().encode(obj.code, w)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: ErrorCode.OK,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = ErrorCode.codec().decode(reader)
              break
            }
            case 2: {
              obj.error = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: ErrorCode.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AttachResponseCodeFieldEvent {
    field: '$.code'
    value: ErrorCode
  }

  export interface AttachResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<AttachResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AttachResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttachResponse>): AttachResponse {
    return decodeMessage(buf, AttachResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttachResponse>): Generator<AttachResponseCodeFieldEvent | AttachResponseErrorFieldEvent> {
    return streamMessage(buf, AttachResponse.codec(), opts)
  }
}

export interface ControlRequest {
  op: ControlRequest.Op
  instance: string
}

export namespace ControlRequest {
  export enum Op {
    LIST = 'LIST',
    STATUS = 'STATUS',
    KILL = 'KILL',
    SUSPEND = 'SUSPEND',
    RESUME = 'RESUME'
  }

  enum __OpValues {
    LIST = 0,
    STATUS = 1,
    KILL = 2,
    SUSPEND = 3,
    RESUME = 4
  }

  export namespace Op {
    export const codec = (): Codec<Op> => {
      return enumeration<Op>(__OpValues)
    }
  }

  let _codec: Codec<ControlRequest>

  export const codec = (): Codec<ControlRequest> => {
    if (_codec == null) {
      _codec = message<ControlRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.op != null && __OpValues[obj.op] !== 0) {
          w.uint32(8)
          ControlRequest.Op.codec().encode(obj.op, w)
        }

        if ((obj.instance != null && obj.instance !== '')) {
          w.uint32(18)
          w.string(obj.instance)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          op: Op.LIST,
          instance: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.op = ControlRequest.Op.codec().decode(reader)
              break
            }
            case 2: {
              obj.instance = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.op`,
                value: ControlRequest.Op.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.instance`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ControlRequestOpFieldEvent {
    field: '$.op'
    value: ControlRequest.Op
  }

  export interface ControlRequestInstanceFieldEvent {
    field: '$.instance'
    value: string
  }

  export function encode (obj: Partial<ControlRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ControlRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlRequest>): ControlRequest {
    return decodeMessage(buf, ControlRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlRequest>): Generator<ControlRequestOpFieldEvent | ControlRequestInstanceFieldEvent> {
    return streamMessage(buf, ControlRequest.codec(), opts)
  }
}

export interface InstanceInfo {
  instance: string
  module: string
  status?: Status
  owner: string
  transient: boolean
  names: string[]
}

export namespace InstanceInfo {
  let _codec: Codec<InstanceInfo>

  export const codec = (): Codec<InstanceInfo> => {
    if (_codec == null) {
      _codec = message<InstanceInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.instance != null && obj.instance !== '')) {
          w.uint32(10)
          w.string(obj.instance)
        }

        if ((obj.module != null && obj.module !== '')) {
          w.uint32(18)
          w.string(obj.module)
        }

        if (obj.status != null) {
          w.uint32(26)
          Status.codec().encode(obj.status, w)
        }

        if ((obj.owner != null && obj.owner !== '')) {
          w.uint32(34)
          w.string(obj.owner)
        }

        if ((obj.transient != null && obj.transient !== false)) {
          w.uint32(40)
          w.bool(obj.transient)
        }

        if (obj.names != null && obj.names.length > 0) {
          for (const value of obj.names) {
            w.uint32(50)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          instance: '',
          module: '',
          owner: '',
          transient: false,
          names: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.instance = reader.string()
              break
            }
            case 2: {
              obj.module = reader.string()
              break
            }
            case 3: {
              obj.status = Status.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.status
              })
              break
            }
            case 4: {
              obj.owner = reader.string()
              break
            }
            case 5: {
              obj.transient = reader.bool()
              break
            }
            case 6: {
              if (opts.limits?.names != null && obj.names.length === opts.limits.names) {
                throw new MaxLengthError('Decode error - repeated field "names" had too many elements')
              }

              obj.names.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          names: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.instance`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.module`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield * Status.codec().stream(reader, reader.uint32(), `${prefix}.status`, {
                limits: opts.limits?.status
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.owner`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.transient`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              if (opts.limits?.names != null && obj.names === opts.limits.names) {
                throw new MaxLengthError('Streaming decode error - repeated field "names" had too many elements')
              }

              yield {
                field: `${prefix}.names[]`,
                index: obj.names,
                value: reader.string()
              }

              obj.names++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface InstanceInfoInstanceFieldEvent {
    field: '$.instance'
    value: string
  }

  export interface InstanceInfoModuleFieldEvent {
    field: '$.module'
    value: string
  }

  export interface InstanceInfoStatusStateFieldEvent {
    field: '$.status.state'
    value: string
  }

  export interface InstanceInfoStatusCauseFieldEvent {
    field: '$.status.cause'
    value: string
  }

  export interface InstanceInfoStatusResultFieldEvent {
    field: '$.status.result'
    value: number
  }

  export interface InstanceInfoStatusErrorFieldEvent {
    field: '$.status.error'
    value: string
  }

  export interface InstanceInfoStatusFilesGuestFieldEvent {
    field: '$.status.files[].guest'
    value: string
    index: number
  }

  export interface InstanceInfoStatusFilesCidFieldEvent {
    field: '$.status.files[].cid'
    value: string
    index: number
  }

  export interface InstanceInfoStatusFilesReadonlyFieldEvent {
    field: '$.status.files[].readonly'
    value: boolean
    index: number
  }

  export interface InstanceInfoStatusFilesWriteBackFieldEvent {
    field: '$.status.files[].writeBack'
    value: boolean
    index: number
  }

  export interface InstanceInfoOwnerFieldEvent {
    field: '$.owner'
    value: string
  }

  export interface InstanceInfoTransientFieldEvent {
    field: '$.transient'
    value: boolean
  }

  export interface InstanceInfoNamesFieldEvent {
    field: '$.names[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<InstanceInfo>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, InstanceInfo.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InstanceInfo>): InstanceInfo {
    return decodeMessage(buf, InstanceInfo.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InstanceInfo>): Generator<InstanceInfoInstanceFieldEvent | InstanceInfoModuleFieldEvent | InstanceInfoStatusStateFieldEvent | InstanceInfoStatusCauseFieldEvent | InstanceInfoStatusResultFieldEvent | InstanceInfoStatusErrorFieldEvent | InstanceInfoStatusFilesGuestFieldEvent | InstanceInfoStatusFilesCidFieldEvent | InstanceInfoStatusFilesReadonlyFieldEvent | InstanceInfoStatusFilesWriteBackFieldEvent | InstanceInfoOwnerFieldEvent | InstanceInfoTransientFieldEvent | InstanceInfoNamesFieldEvent> {
    return streamMessage(buf, InstanceInfo.codec(), opts)
  }
}

export interface ControlResponse {
  code: ErrorCode
  error: string
  instances: InstanceInfo[]
}

export namespace ControlResponse {
  let _codec: Codec<ControlResponse>

  export const codec = (): Codec<ControlResponse> => {
    if (_codec == null) {
      _codec = message<ControlResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.code != null && __ErrorCodeValues[obj.code] !== 0) {
          w.uint32(8)
          ErrorCode.codec().encode(obj.code, w)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if (obj.instances != null && obj.instances.length > 0) {
          for (const value of obj.instances) {
            w.uint32(26)
            InstanceInfo.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: ErrorCode.OK,
          error: '',
          instances: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = ErrorCode.codec().decode(reader)
              break
            }
            case 2: {
              obj.error = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.instances != null && obj.instances.length === opts.limits.instances) {
                throw new MaxLengthError('Decode error - repeated field "instances" had too many elements')
              }

              obj.instances.push(InstanceInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.instances$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          instances: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: ErrorCode.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.instances != null && obj.instances === opts.limits.instances) {
                throw new MaxLengthError('Streaming decode error - repeated field "instances" had too many elements')
              }

              for (const evt of InstanceInfo.codec().stream(reader, reader.uint32(), `${prefix}.instances[]`, {
                limits: opts.limits?.instances$
              })) {
                yield {
                  ...evt,
                  index: obj.instances
                }
              }

              obj.instances++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ControlResponseCodeFieldEvent {
    field: '$.code'
    value: ErrorCode
  }

  export interface ControlResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface ControlResponseInstancesInstanceFieldEvent {
    field: '$.instances[].instance'
    value: string
    index: number
  }

  export interface ControlResponseInstancesModuleFieldEvent {
    field: '$.instances[].module'
    value: string
    index: number
  }

  export interface ControlResponseInstancesStatusStateFieldEvent {
    field: '$.instances[].status.state'
    value: string
    index: number
  }

  export interface ControlResponseInstancesStatusCauseFieldEvent {
    field: '$.instances[].status.cause'
    value: string
    index: number
  }

  export interface ControlResponseInstancesStatusResultFieldEvent {
    field: '$.instances[].status.result'
    value: number
    index: number
  }

  export interface ControlResponseInstancesStatusErrorFieldEvent {
    field: '$.instances[].status.error'
    value: string
    index: number
  }

  export interface ControlResponseInstancesStatusFilesGuestFieldEvent {
    field: '$.instances[].status.files[].guest'
    value: string
    index: number
  }

  export interface ControlResponseInstancesStatusFilesCidFieldEvent {
    field: '$.instances[].status.files[].cid'
    value: string
    index: number
  }

  export interface ControlResponseInstancesStatusFilesReadonlyFieldEvent {
    field: '$.instances[].status.files[].readonly'
    value: boolean
    index: number
  }

  export interface ControlResponseInstancesStatusFilesWriteBackFieldEvent {
    field: '$.instances[].status.files[].writeBack'
    value: boolean
    index: number
  }

  export interface ControlResponseInstancesOwnerFieldEvent {
    field: '$.instances[].owner'
    value: string
    index: number
  }

  export interface ControlResponseInstancesTransientFieldEvent {
    field: '$.instances[].transient'
    value: boolean
    index: number
  }

  export interface ControlResponseInstancesNamesFieldEvent {
    field: '$.instances[].names[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<ControlResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ControlResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlResponse>): ControlResponse {
    return decodeMessage(buf, ControlResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlResponse>): Generator<ControlResponseCodeFieldEvent | ControlResponseErrorFieldEvent | ControlResponseInstancesInstanceFieldEvent | ControlResponseInstancesModuleFieldEvent | ControlResponseInstancesStatusStateFieldEvent | ControlResponseInstancesStatusCauseFieldEvent | ControlResponseInstancesStatusResultFieldEvent | ControlResponseInstancesStatusErrorFieldEvent | ControlResponseInstancesStatusFilesGuestFieldEvent | ControlResponseInstancesStatusFilesCidFieldEvent | ControlResponseInstancesStatusFilesReadonlyFieldEvent | ControlResponseInstancesStatusFilesWriteBackFieldEvent | ControlResponseInstancesOwnerFieldEvent | ControlResponseInstancesTransientFieldEvent | ControlResponseInstancesNamesFieldEvent> {
    return streamMessage(buf, ControlResponse.codec(), opts)
  }
}

export interface PeerMessage {
  to: string
  from: string
  payload: Uint8Array<ArrayBuffer>
}

export namespace PeerMessage {
  let _codec: Codec<PeerMessage>

  export const codec = (): Codec<PeerMessage> => {
    if (_codec == null) {
      _codec = message<PeerMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.to != null && obj.to !== '')) {
          w.uint32(10)
          w.string(obj.to)
        }

        if ((obj.from != null && obj.from !== '')) {
          w.uint32(18)
          w.string(obj.from)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.payload)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          to: '',
          from: '',
          payload: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.to = reader.string()
              break
            }
            case 2: {
              obj.from = reader.string()
              break
            }
            case 3: {
              obj.payload = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.to`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.from`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PeerMessageToFieldEvent {
    field: '$.to'
    value: string
  }

  export interface PeerMessageFromFieldEvent {
    field: '$.from'
    value: string
  }

  export interface PeerMessagePayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PeerMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerMessage>): PeerMessage {
    return decodeMessage(buf, PeerMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerMessage>): Generator<PeerMessageToFieldEvent | PeerMessageFromFieldEvent | PeerMessagePayloadFieldEvent> {
    return streamMessage(buf, PeerMessage.codec(), opts)
  }
}

export interface MessageAck {
  code: ErrorCode
  error: string
}

export namespace MessageAck {
  let _codec: Codec<MessageAck>

  export const codec = (): Codec<MessageAck> => {
    if (_codec == null) {
      _codec = message<MessageAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.code != null && __ErrorCodeValues[obj.code] !== 0) {
          w.uint32(8)
          ErrorCode.codec().encode(obj.code, w)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: ErrorCode.OK,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = ErrorCode.codec().decode(reader)
              break
            }
            case 2: {
              obj.error = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: ErrorCode.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MessageAckCodeFieldEvent {
    field: '$.code'
    value: ErrorCode
  }

  export interface MessageAckErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<MessageAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MessageAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MessageAck>): MessageAck {
    return decodeMessage(buf, MessageAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MessageAck>): Generator<MessageAckCodeFieldEvent | MessageAckErrorFieldEvent> {
    return streamMessage(buf, MessageAck.codec(), opts)
  }
}

export interface MigrateRequest {
  root: string
  clone: boolean
  owner: string
  instance: string
  transient: boolean
}

export namespace MigrateRequest {
  let _codec: Codec<MigrateRequest>

  export const codec = (): Codec<MigrateRequest> => {
    if (_codec == null) {
      _codec = message<MigrateRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.root != null && obj.root !== '')) {
          w.uint32(10)
          w.string(obj.root)
        }

        if ((obj.clone != null && obj.clone !== false)) {
          w.uint32(16)
          w.bool(obj.clone)
        }

        if ((obj.owner != null && obj.owner !== '')) {
          w.uint32(26)
          w.string(obj.owner)
        }

        if ((obj.instance != null && obj.instance !== '')) {
          w.uint32(34)
          w.string(obj.instance)
        }

        if ((obj.transient != null && obj.transient !== false)) {
          w.uint32(40)
          w.bool(obj.transient)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          root: '',
          clone: false,
          owner: '',
          instance: '',
          transient: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.root = reader.string()
              break
            }
            case 2: {
              obj.clone = reader.bool()
              break
            }
            case 3: {
              obj.owner = reader.string()
              break
            }
            case 4: {
              obj.instance = reader.string()
              break
            }
            case 5: {
              obj.transient = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.root`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.clone`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.owner`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.instance`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.transient`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MigrateRequestRootFieldEvent {
    field: '$.root'
    value: string
  }

  export interface MigrateRequestCloneFieldEvent {
    field: '$.clone'
    value: boolean
  }

  export interface MigrateRequestOwnerFieldEvent {
    field: '$.owner'
    value: string
  }

  export interface MigrateRequestInstanceFieldEvent {
    field: '$.instance'
    value: string
  }

  export interface MigrateRequestTransientFieldEvent {
    field: '$.transient'
    value: boolean
  }

  export function encode (obj: Partial<MigrateRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MigrateRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MigrateRequest>): MigrateRequest {
    return decodeMessage(buf, MigrateRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MigrateRequest>): Generator<MigrateRequestRootFieldEvent | MigrateRequestCloneFieldEvent | MigrateRequestOwnerFieldEvent | MigrateRequestInstanceFieldEvent | MigrateRequestTransientFieldEvent> {
    return streamMessage(buf, MigrateRequest.codec(), opts)
  }
}

export interface MigrateCommit {
  commit: boolean
  root: string
}

export namespace MigrateCommit {
  let _codec: Codec<MigrateCommit>

  export const codec = (): Codec<MigrateCommit> => {
    if (_codec == null) {
      _codec = message<MigrateCommit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.commit != null && obj.commit !== false)) {
          w.uint32(8)
          w.bool(obj.commit)
        }

        if ((obj.root != null && obj.root !== '')) {
          w.uint32(18)
          w.string(obj.root)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          commit: false,
          root: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.commit = reader.bool()
              break
            }
            case 2: {
              obj.root = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.commit`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.root`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MigrateCommitCommitFieldEvent {
    field: '$.commit'
    value: boolean
  }

  export interface MigrateCommitRootFieldEvent {
    field: '$.root'
    value: string
  }

  export function encode (obj: Partial<MigrateCommit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MigrateCommit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MigrateCommit>): MigrateCommit {
    return decodeMessage(buf, MigrateCommit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MigrateCommit>): Generator<MigrateCommitCommitFieldEvent | MigrateCommitRootFieldEvent> {
    return streamMessage(buf, MigrateCommit.codec(), opts)
  }
}

export interface MigrateReply {
  code: ErrorCode
  error: string
  phase: MigrateReply.Phase
  instance: string
}

export namespace MigrateReply {
  export enum Phase {
    PREPARED = 'PREPARED',
    RUNNING = 'RUNNING'
  }

  enum __PhaseValues {
    PREPARED = 0,
    RUNNING = 1
  }

  export namespace Phase {
    export const codec = (): Codec<Phase> => {
      return enumeration<Phase>(__PhaseValues)
    }
  }

  let _codec: Codec<MigrateReply>

  export const codec = (): Codec<MigrateReply> => {
    if (_codec == null) {
      _codec = message<MigrateReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.code != null && __ErrorCodeValues[obj.code] !== 0) {
          w.uint32(8)
          ErrorCode.codec().encode(obj.code, w)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if (obj.phase != null && __PhaseValues[obj.phase] !== 0) {
          w.uint32(24)
          MigrateReply.Phase.codec().encode(obj.phase, w)
        }

        if ((obj.instance != null && obj.instance !== '')) {
          w.uint32(34)
          w.string(obj.instance)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: ErrorCode.OK,
          error: '',
          phase: Phase.PREPARED,
          instance: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = ErrorCode.codec().decode(reader)
              break
            }
            case 2: {
              obj.error = reader.string()
              break
            }
            case 3: {
              obj.phase = MigrateReply.Phase.codec().decode(reader)
              break
            }
            case 4: {
              obj.instance = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: ErrorCode.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.phase`,
                value: MigrateReply.Phase.codec().decode(reader)
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.instance`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MigrateReplyCodeFieldEvent {
    field: '$.code'
    value: ErrorCode
  }

  export interface MigrateReplyErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface MigrateReplyPhaseFieldEvent {
    field: '$.phase'
    value: MigrateReply.Phase
  }

  export interface MigrateReplyInstanceFieldEvent {
    field: '$.instance'
    value: string
  }

  export function encode (obj: Partial<MigrateReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MigrateReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MigrateReply>): MigrateReply {
    return decodeMessage(buf, MigrateReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MigrateReply>): Generator<MigrateReplyCodeFieldEvent | MigrateReplyErrorFieldEvent | MigrateReplyPhaseFieldEvent | MigrateReplyInstanceFieldEvent> {
    return streamMessage(buf, MigrateReply.codec(), opts)
  }
}
