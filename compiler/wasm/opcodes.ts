/**
 * The operand types of every instruction whose typing is fixed by its
 * opcode (numeric, memory, SIMD): what it pops and pushes, and which
 * immediates follow it. Control, variable, reference, call and table
 * instructions are typed by hand in code.ts. Prefixed opcodes are keyed
 * 0xFC00 + sub and 0xFD00 + sub.
 */
export const I32 = 0x7f
export const I64 = 0x7e
export const F32 = 0x7d
export const F64 = 0x7c
export const V128 = 0x7b
export const FUNCREF = 0x70
export const EXTERNREF = 0x6f
/** A value of unknown type (popped from the polymorphic stack of unreachable code). */
export const ANY = 0

export const IMM_NONE = 0
export const IMM_MEMARG = 1
export const IMM_LANE = 2
export const IMM_MEMARG_LANE = 3
export const IMM_V128 = 4
export const IMM_SHUFFLE = 5

export interface SimpleOp { pop: number[], push: number, imm: number, align?: number }

export const SIMPLE = new Map<number, SimpleOp>()
const T: Record<string, number> = { i: I32, l: I64, f: F32, d: F64, v: V128 }

function def (codes: number[] | number, sig: string, imm = IMM_NONE, align?: number): void {
  const [a, b] = sig.split('>')
  const op: SimpleOp = { pop: [...a].map(c => T[c]), push: b === '' ? 0 : T[b], imm, align }
  for (const c of Array.isArray(codes) ? codes : [codes]) SIMPLE.set(c, op)
}
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i)

// memory (natural alignment as log2 bytes)
def(0x28, 'i>i', IMM_MEMARG, 2); def(0x29, 'i>l', IMM_MEMARG, 3); def(0x2a, 'i>f', IMM_MEMARG, 2); def(0x2b, 'i>d', IMM_MEMARG, 3)
def([0x2c, 0x2d], 'i>i', IMM_MEMARG, 0); def([0x2e, 0x2f], 'i>i', IMM_MEMARG, 1)
def([0x30, 0x31], 'i>l', IMM_MEMARG, 0); def([0x32, 0x33], 'i>l', IMM_MEMARG, 1); def([0x34, 0x35], 'i>l', IMM_MEMARG, 2)
def(0x36, 'ii>', IMM_MEMARG, 2); def(0x37, 'il>', IMM_MEMARG, 3); def(0x38, 'if>', IMM_MEMARG, 2); def(0x39, 'id>', IMM_MEMARG, 3)
def(0x3a, 'ii>', IMM_MEMARG, 0); def(0x3b, 'ii>', IMM_MEMARG, 1)
def(0x3c, 'il>', IMM_MEMARG, 0); def(0x3d, 'il>', IMM_MEMARG, 1); def(0x3e, 'il>', IMM_MEMARG, 2)
// numeric
def(0x45, 'i>i'); def(range(0x46, 0x4f), 'ii>i'); def(0x50, 'l>i'); def(range(0x51, 0x5a), 'll>i')
def(range(0x5b, 0x60), 'ff>i'); def(range(0x61, 0x66), 'dd>i')
def(range(0x67, 0x69), 'i>i'); def(range(0x6a, 0x78), 'ii>i')
def(range(0x79, 0x7b), 'l>l'); def(range(0x7c, 0x8a), 'll>l')
def(range(0x8b, 0x91), 'f>f'); def(range(0x92, 0x98), 'ff>f')
def(range(0x99, 0x9f), 'd>d'); def(range(0xa0, 0xa6), 'dd>d')
def(0xa7, 'l>i'); def([0xa8, 0xa9], 'f>i'); def([0xaa, 0xab], 'd>i'); def([0xac, 0xad], 'i>l'); def([0xae, 0xaf], 'f>l'); def([0xb0, 0xb1], 'd>l')
def([0xb2, 0xb3], 'i>f'); def([0xb4, 0xb5], 'l>f'); def(0xb6, 'd>f'); def([0xb7, 0xb8], 'i>d'); def([0xb9, 0xba], 'l>d'); def(0xbb, 'f>d')
def(0xbc, 'f>i'); def(0xbd, 'd>l'); def(0xbe, 'i>f'); def(0xbf, 'l>d')
def([0xc0, 0xc1], 'i>i'); def(range(0xc2, 0xc4), 'l>l')
// 0xFC: saturating truncation
const FC = 0xfc00
def([FC + 0, FC + 1], 'f>i'); def([FC + 2, FC + 3], 'd>i'); def([FC + 4, FC + 5], 'f>l'); def([FC + 6, FC + 7], 'd>l')
// 0xFD: SIMD
const FD = 0xfd00
const V = (subs: number[]): number[] => subs.map(s => FD + s)
def(FD + 0, 'i>v', IMM_MEMARG, 4)
def(V([1, 2, 3, 4, 5, 6]), 'i>v', IMM_MEMARG, 3)
def(FD + 7, 'i>v', IMM_MEMARG, 0); def(FD + 8, 'i>v', IMM_MEMARG, 1); def(FD + 9, 'i>v', IMM_MEMARG, 2); def(FD + 10, 'i>v', IMM_MEMARG, 3)
def(FD + 11, 'iv>', IMM_MEMARG, 4)
def(FD + 12, '>v', IMM_V128)
def(FD + 13, 'vv>v', IMM_SHUFFLE)
def(FD + 14, 'vv>v')
def(FD + 15, 'i>v'); def(FD + 16, 'i>v'); def(FD + 17, 'i>v'); def(FD + 18, 'l>v'); def(FD + 19, 'f>v'); def(FD + 20, 'd>v')
def(V([21, 22, 24, 25, 27]), 'v>i', IMM_LANE); def(V([23, 26, 28]), 'vi>v', IMM_LANE)
def(FD + 29, 'v>l', IMM_LANE); def(FD + 30, 'vl>v', IMM_LANE)
def(FD + 31, 'v>f', IMM_LANE); def(FD + 32, 'vf>v', IMM_LANE)
def(FD + 33, 'v>d', IMM_LANE); def(FD + 34, 'vd>v', IMM_LANE)
def(V(range(35, 76)), 'vv>v')
def(FD + 77, 'v>v'); def(V([78, 79, 80, 81]), 'vv>v'); def(FD + 82, 'vvv>v'); def(FD + 83, 'v>i')
def(FD + 84, 'iv>v', IMM_MEMARG_LANE, 0); def(FD + 85, 'iv>v', IMM_MEMARG_LANE, 1); def(FD + 86, 'iv>v', IMM_MEMARG_LANE, 2); def(FD + 87, 'iv>v', IMM_MEMARG_LANE, 3)
def(FD + 88, 'iv>', IMM_MEMARG_LANE, 0); def(FD + 89, 'iv>', IMM_MEMARG_LANE, 1); def(FD + 90, 'iv>', IMM_MEMARG_LANE, 2); def(FD + 91, 'iv>', IMM_MEMARG_LANE, 3)
def(FD + 92, 'i>v', IMM_MEMARG, 2); def(FD + 93, 'i>v', IMM_MEMARG, 3)
def(V([94, 95, 96, 97, 98]), 'v>v'); def(FD + 99, 'v>i'); def(FD + 100, 'v>i'); def(V([101, 102]), 'vv>v')
def(V([103, 104, 105, 106]), 'v>v')
def(V([107, 108, 109]), 'vi>v'); def(V(range(110, 115)), 'vv>v')
def(V([116, 117]), 'v>v'); def(V(range(118, 121)), 'vv>v'); def(FD + 122, 'v>v'); def(FD + 123, 'vv>v')
def(V(range(124, 129)), 'v>v'); def(FD + 130, 'vv>v'); def(V([131, 132]), 'v>i'); def(V([133, 134]), 'vv>v'); def(V(range(135, 138)), 'v>v')
def(V([139, 140, 141]), 'vi>v'); def(V(range(142, 147)), 'vv>v'); def(FD + 148, 'v>v')
def(V(range(149, 153)), 'vv>v'); def(FD + 155, 'vv>v'); def(V(range(156, 159)), 'vv>v')
def(V([160, 161]), 'v>v'); def(V([163, 164]), 'v>i'); def(V(range(167, 170)), 'v>v')
def(V([171, 172, 173]), 'vi>v'); def(V([174, 177, 181, 182, 183, 184, 185, 186, 188, 189, 190, 191]), 'vv>v')
def(V([192, 193]), 'v>v'); def(V([195, 196]), 'v>i'); def(V(range(199, 202)), 'v>v')
def(V([203, 204, 205]), 'vi>v'); def(V([206, 209, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223]), 'vv>v')
def(V([224, 225, 227]), 'v>v'); def(V(range(228, 235)), 'vv>v')
def(V([236, 237, 239]), 'v>v'); def(V(range(240, 247)), 'vv>v')
def(V(range(248, 255)), 'v>v')

export function typeName (t: number): string {
  switch (t) {
    case I32: return 'i32'
    case I64: return 'i64'
    case F32: return 'f32'
    case F64: return 'f64'
    case V128: return 'v128'
    case FUNCREF: return 'funcref'
    case EXTERNREF: return 'externref'
    case ANY: return 'any'
    default: return `type 0x${t.toString(16)}`
  }
}

export const isNumeric = (t: number): boolean => t === I32 || t === I64 || t === F32 || t === F64 || t === V128
export const isRef = (t: number): boolean => t === FUNCREF || t === EXTERNREF
export const isValType = (t: number): boolean => isNumeric(t) || isRef(t)
