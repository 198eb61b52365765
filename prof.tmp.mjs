import binaryen from 'binaryen'
import { readFileSync } from 'node:fs'
const b = readFileSync('/work/main/build/testprogs/' + (process.argv[2] ?? 'counter') + '.wasm')
for (const lvl of [0, 1, 2]) {
  const m = binaryen.readBinary(b)
  m.setFeatures(binaryen.Features.All)
  binaryen.setOptimizeLevel(lvl); binaryen.setShrinkLevel(0)
  binaryen.setPassArgument('asyncify-imports', 'wasi_snapshot_preview1.fd_read')
  let t = performance.now()
  m.runPasses(['asyncify'])
  const a = performance.now() - t
  console.log('level', lvl, 'asyncify ms', a.toFixed(0), 'size', m.emitBinary().length)
  m.dispose()
}
