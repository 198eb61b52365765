// A few small valid modules built by hand for the mutation fuzzer: loops,
// blocks, if/else, br_table, calls, call_indirect, locals of every numeric
// type, memory, globals, SIMD. Each exports `_start` and a memory.
import { F32, F64, I32, I64, ModuleBuilder, V128, f32bytes, f64bytes, sleb, uleb } from './wasm-builder.js'

const c32 = (n: number): number[] => [0x41, ...sleb(n)]
const c64 = (n: number | bigint): number[] => [0x42, ...sleb(n)]

function control (): Uint8Array {
  const m = new ModuleBuilder()
  m.memory = { min: 1, max: 2 }
  m.table = { min: 3, max: 3 }
  const g = m.global(I32, true, c32(7))
  m.global(I64, true, c64(1n << 40n))
  m.global(F64, false, [0x44, ...f64bytes(1.5)])
  const ti = m.type([I32], [I32])
  // 0: sq(x) = x*x
  const sq = m.func([I32], [I32], [], [0x20, 0, 0x20, 0, 0x6c])
  // 1: inc(x) = x+1
  const inc = m.func([I32], [I32], [], [0x20, 0, ...c32(1), 0x6a])
  // 2: rec(n) = n <= 0 ? 0 : n + rec(n-1)
  const rec = m.func([I32], [I32], [], [0x20, 0, ...c32(0), 0x4c, 0x04, I32, ...c32(0), 0x05, 0x20, 0, 0x20, 0, ...c32(1), 0x6b, 0x10, 2, 0x6a, 0x0b])
  m.elems = [sq, inc, rec]
  // 3: main(n) with loops, br_table, call_indirect, all local types
  const body = [
    ...c32(10), 0x21, 1, // i = 10
    0x02, 0x40, 0x03, 0x40, // block loop
    0x20, 1, 0x45, 0x0d, 1, // br_if exit when i == 0
    0x20, 1, ...c32(1), 0x6b, 0x21, 1,
    // br_table on i & 3
    0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x20, 1, ...c32(3), 0x71, 0x0e, 2, 0, 1, 2, 0x0b,
    0x20, 2, ...c64(3), 0x7c, 0x21, 2, 0x0c, 1, 0x0b,
    0x20, 3, 0x43, ...f32bytes(0.5), 0x92, 0x21, 3, 0x0b,
    // local4 += call_indirect (i % 3)(i)
    0x20, 4, 0x20, 1, 0xb7, 0x20, 1, 0x20, 1, ...c32(3), 0x70, 0x11, ...uleb(ti), 0, 0xb7, 0xa0, 0xa0, 0x21, 4,
    // mem[i*8] = i64(i)
    0x20, 1, ...c32(8), 0x6c, 0x20, 1, 0xac, 0x37, 3, 0,
    0x23, g, 0x20, 1, 0x10, inc, 0x6a, 0x24, g,
    0x0c, 0, 0x0b, 0x0b,
    0x20, 0, 0x04, I32, 0x20, 0, 0x10, rec, 0x05, 0x20, 0, 0x10, sq, 0x0b,
    0x20, 2, 0xa7, 0x6a, 0x20, 3, 0xa8, 0x6a, 0x20, 4, 0xaa, 0x6a,
    ...c32(16), 0x28, 2, 0, 0x6a
  ]
  const main = m.func([I32], [I32], [I32, I64, F32, F64], body)
  const start = m.func([], [], [], [...c32(5), 0x10, main, 0x1a])
  m.export('_start', 0, start)
  m.export('memory', 2, 0)
  m.data = [{ offset: 16, bytes: [1, 2, 3, 4] }]
  return m.bytes()
}

function simd (): Uint8Array {
  const m = new ModuleBuilder()
  m.memory = { min: 1 }
  const body = [
    0xfd, 12, ...Array.from({ length: 16 }, (_, i) => i), 0x21, 0,
    0x03, 0x40,
    0x20, 0, 0x20, 0, 0xfd, 174, 1, 0x21, 0, // i32x4.add
    0x41, 0, 0x20, 0, 0xfd, 11, 4, 0, // v128.store
    0x41, 0, 0xfd, 0, 4, 0, 0x41, 7, 0xfd, 15, 0xfd, 110, 0x21, 0, // v128.load, i8x16.splat, i8x16.add
    0x20, 1, 0x41, 1, 0x6a, 0x22, 1, 0x41, 20, 0x48, 0x0d, 0, 0x0b,
    0x20, 0, 0xfd, 27, 2, // i32x4.extract_lane 2
    0x20, 0, 0xfd, 29, 1, 0xa7, 0x6a, // i64x2.extract_lane 1
    0x20, 0, 0xfd, 31, 3, 0xa8, 0x6a // f32x4.extract_lane 3
  ]
  const f = m.func([], [I32], [V128, I32], body)
  const start = m.func([], [], [], [0x10, f, 0x1a])
  m.export('_start', 0, start)
  m.export('f', 0, f)
  return m.bytes()
}

function multi (): Uint8Array {
  // multi-value blocks and functions, select, if with params
  const m = new ModuleBuilder()
  m.memory = { min: 1 }
  const t2 = m.type([I32], [I32, I64])
  const swap = m.func([I64, I32], [I32, I64], [], [0x20, 1, 0x20, 0])
  const body = [
    0x20, 0, 0x02, ...uleb(t2), 0xac, 0x41, 3, 0x10, swap, 0x1a, 0x20, 0, 0xac, 0x0b,
    0x1a, 0x22, 1, 0x20, 0, 0x41, 2, 0x6c, 0x20, 0, 0x1b,
    0x20, 1, 0x04, 0x40, 0x41, 4, 0x20, 0, 0xac, 0x37, 3, 0, 0x0b,
    0x20, 0, 0x41, 0, 0x48, 0x04, ...uleb(m.type([I32], [I32])), 0x41, 1, 0x6a, 0x05, 0x41, 2, 0x6b, 0x0b
  ]
  const f = m.func([I32], [I32], [I32], body)
  const start = m.func([], [], [], [0x41, 9, 0x10, f, 0x1a])
  m.export('_start', 0, start)
  return m.bytes()
}

function deep (): Uint8Array {
  // nested loops with an early return and a big br_table
  const m = new ModuleBuilder()
  const tbl = Array.from({ length: 40 }, (_, i) => i % 3)
  const body = [
    0x02, 0x40, 0x03, 0x40, 0x03, 0x40,
    0x20, 0, 0x41, 1, 0x6a, 0x22, 0, 0x41, 100, 0x4a, 0x04, 0x40, 0x20, 0, 0x0f, 0x0b,
    0x20, 0, 0x0e, ...uleb(tbl.length), ...tbl, 1,
    0x0b, 0x0b, 0x0b, 0x20, 0
  ]
  const f = m.func([I32], [I32], [], body)
  const start = m.func([], [], [], [0x41, 0, 0x10, f, 0x1a])
  m.export('_start', 0, start)
  m.export('f', 0, f)
  return m.bytes()
}

export function smallModules (): Array<{ name: string, bytes: Uint8Array }> {
  return [
    { name: 'control', bytes: control() },
    { name: 'simd', bytes: simd() },
    { name: 'multi', bytes: multi() },
    { name: 'deep', bytes: deep() }
  ]
}
