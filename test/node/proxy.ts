// A cuttable TCP proxy on 127.0.0.1 for link-failure tests: listens on a
// random port and forwards each connection to a target. cut() stops
// forwarding without closing anything (a silently dead link: packets just
// vanish); cut('back') stops only target -> client. kill() destroys every
// socket (the peers see a reset).
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'

export type Direction = 'both' | 'forth' | 'back'

export class CuttableProxy {
  readonly sockets = new Set<Socket>()
  private forth = true
  private back = true

  private constructor (private readonly server: Server, readonly port: number) {}

  static async start (targetPort: number, targetHost = '127.0.0.1'): Promise<CuttableProxy> {
    let self: CuttableProxy | undefined
    const server = createServer(client => {
      const upstream = connect(targetPort, targetHost)
      for (const s of [client, upstream]) { s.on('error', () => {}); self?.sockets.add(s) }
      // data read while cut is dropped, not buffered: like packets lost on the wire
      client.on('data', d => { if (self?.forth === true) upstream.write(d) })
      upstream.on('data', d => { if (self?.back === true) client.write(d) })
      client.on('close', () => { upstream.destroy() })
      upstream.on('close', () => { client.destroy() })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    self = new CuttableProxy(server, (server.address() as AddressInfo).port)
    return self
  }

  /** The multiaddr to dial a libp2p peer through this proxy. */
  addr (peerId: string): string { return `/ip4/127.0.0.1/tcp/${this.port}/p2p/${peerId}` }

  /** Stop forwarding silently (no FIN, no RST). */
  cut (dir: Direction = 'both'): void {
    if (dir !== 'back') this.forth = false
    if (dir !== 'forth') this.back = false
  }

  heal (): void { this.forth = true; this.back = true }

  /** Destroy every connection through the proxy. */
  kill (): void { for (const s of this.sockets) s.destroy(); this.sockets.clear() }

  async close (): Promise<void> {
    this.kill()
    await new Promise<void>(resolve => { this.server.close(() => { resolve() }) })
  }
}
