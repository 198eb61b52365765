// Gate packet ABI: discovery, services and ABI violations, with real wasm from C.
import t from 'tap'
import { compileC, runWasm } from './harness.js'

const INSTANCE = '00000000-0000-4000-8000-000000000001'

t.test('gate.io: flags, discovery, catalog, identity, random, origin echo', async t => {
  const r = runWasm(compileC('services'), { init: { principal: 'ed25519:abc' }, input: 'hello origin' })
  t.equal(r.exitCode, 0, r.stderr)
  const lines = r.stderr.split('\n')
  t.equal(lines[0], 'flags1=1')
  t.equal(lines[1], 'flags2=0')
  t.equal(lines[2], 'services 5: 1 1 1 1 0 (payload 7)')
  const catalog = r.stderr.slice(r.stderr.indexOf('catalog=') + 8, r.stderr.indexOf('catalog-xml='))
  t.same(JSON.parse(catalog), { services: [{ name: 'catalog', revision: '0' }, { name: 'identity', revision: '0' }, { name: 'origin', revision: '0' }, { name: 'random', revision: '0' }] })
  t.ok(catalog.includes('\n\t"services"'), 'tab-indented')
  t.ok(catalog.endsWith('}\n'))
  t.match(r.stderr, /catalog-xml=0\n/)
  t.match(r.stderr, /principal=ed25519:abc\n/)
  t.match(r.stderr, new RegExp(`instance=${INSTANCE}\n`))
  t.match(r.stderr, /random=32\n/)
  t.match(r.stderr, /stream=0 reply=8\n/)
  t.match(r.stderr, /flow 32767\n/)
  t.match(r.stderr, /eof after 12 bytes\n/)
  t.equal(r.stdout, 'HELLO ORIGIN')
})

t.test('gate.io: calls to unavailable services are dropped (the program waits forever)', async t => {
  const r = runWasm(compileC('services'), { init: { services: ['origin', 'catalog'] } })
  t.match(r.stderr, /services 5: 1 1 0 0 0/)
  t.match(r.stderr, /catalog=\{/)
  t.equal(r.trap, undefined)
  t.same(r.deadlock, { packets: true }, 'waits for the identity reply')
})

t.test('gate.io: origin with input arriving during waits, host migrated at each wait', async t => {
  const parts = ['ab', 'cd']
  let infos = 0
  const r = runWasm(compileC('services'), {
    migrateOnWait: true,
    onWait: (_cond, run) => {
      infos++
      const p = parts.shift()
      if (p != null) run.host.pushInput(new TextEncoder().encode(p))
      else run.host.endInput()
    }
  })
  t.equal(r.exitCode, 0, r.stderr)
  t.equal(r.stdout, 'ABCD')
  t.match(r.stderr, /eof after 4 bytes/)
  // Every restore queues an INFO services packet (code -1, domain 1).
  t.match(r.stderr, /other packet code=-1 domain=1 size=15/)
  t.ok(infos >= 3)
})

t.test('fd 4 through WASI: gate_fd, EAGAIN, poll timeout, split write, poll ready, read', async t => {
  const r = runWasm(compileC('fd4'))
  t.equal(r.exitCode, 0, r.stderr)
  t.equal(r.stdout, [
    'fd=4',
    'read-empty=6',
    'poll1 err=0 n=1 userdata=2',
    'write1 err=0 n=5',
    'write2 err=0 n=35',
    'poll2 err=0 n=1 userdata=1 nbytes=65536',
    'read err=0 n=16 size=13 code=-1 domain=0 count=3 states=1,1,1',
    'fdstat filetype=0 flags=4',
    'stdout filetype=0',
    ''
  ].join('\n'))
  t.equal(r.waits.length, 1)
  t.equal(r.waits[0].packets, true)
  t.ok(r.waits[0].deadlineNs != null)
})

for (const what of ['size', 'huge', 'code', 'negative', 'domain', 'dup', 'shortdata', 'discovery-info', 'flow-nostreams']) {
  t.test(`ABI violation: ${what}`, async t => {
    const r = runWasm(compileC('violate'), { init: { args: ['prog', what] } })
    t.equal(r.trap?.cause, 'ABI_VIOLATION', r.trap?.message ?? `exit ${String(r.exitCode)}`)
  })
}
