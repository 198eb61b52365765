/**
 * Records of suspended instances, one JSON file each under
 * `<data-dir>/instances/`: the snapshot's root CID (its blocks, module
 * included, live in the node's blockstore), the owner, and whether the node
 * suspended it only to shut down (then the next start resumes it).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface SuspendedRecord {
  id: string
  owner: string
  moduleHash: string
  entry: string
  root: string
  /** Suspended by a node shutdown: resume on the next start. */
  resumeOnStart: boolean
  /**
   * Hibernated when the node stopped: `root` is its hibernation snapshot
   * (without the module, which the module store has by moduleHash), and the
   * next start adopts it hibernated, no worker, waiting for this again.
   */
  hibernated?: { input?: boolean, packets?: boolean, deadlineAt?: string }
  savedAt: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

export class SuspendedRecords {
  constructor (readonly dir: string) {}

  async save (r: SuspendedRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    const path = join(this.dir, `${r.id}.json`)
    const tmp = `${path}.${process.pid}.tmp`
    await writeFile(tmp, JSON.stringify(r, null, 2) + '\n')
    await rename(tmp, path)
  }

  async remove (id: string): Promise<void> {
    if (UUID.test(id)) await rm(join(this.dir, `${id}.json`), { force: true })
  }

  /** All records; unreadable files are reported through `onBad` and skipped. */
  async list (onBad: (file: string, err: Error) => void): Promise<SuspendedRecord[]> {
    let files: string[]
    try { files = await readdir(this.dir) } catch { return [] }
    const out: SuspendedRecord[] = []
    for (const f of files.filter(f => f.endsWith('.json')).sort()) {
      try {
        const r = JSON.parse(await readFile(join(this.dir, f), 'utf8')) as SuspendedRecord
        if (!UUID.test(r.id) || typeof r.root !== 'string') throw new Error('not an instance record')
        out.push(r)
      } catch (err) { onBad(f, err as Error) }
    }
    return out
  }
}
