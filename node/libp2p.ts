/**
 * The libp2p options every host uses: TCP and WebSockets, Noise, Yamux,
 * identify, ping and Kademlia (our own protocol by default, or the public
 * Amino DHT), optional bootstrap list and mDNS.
 */
import { userAgent } from './platform.js'
import { autoNAT } from '@libp2p/autonat'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { DEFAULT_LISTEN, type GateNodeInit } from './config.js'

export const GATE_DHT_PROTOCOL = '/gate/kad/1.0.0'
export const AMINO_DHT_PROTOCOL = '/ipfs/kad/1.0.0'
/**
 * Yamux lets a peer send up to its 16 MiB window, but by default buffers
 * only 4 MiB unread: bitswap's 4 MiB messages then overflow it, the stream
 * is reset and fetches stall ~10 s until the next want-list. 32 MiB cures it.
 */
export const YAMUX_READ_BUFFER = 32 * 1024 * 1024
/** A connection is judged dead after a ping takes this long at least (libp2p: 5 s). */
export const PING_TIMEOUT_MIN_MS = 20_000

export function libp2pOptions (init: GateNodeInit, privateKey: PrivateKey): Record<string, any> {
  const peerDiscovery: any[] = []
  if (init.bootstrap != null && init.bootstrap.length > 0) peerDiscovery.push(bootstrap({ list: init.bootstrap, timeout: 100 }))
  if (init.mdns === true) peerDiscovery.push(mdns())
  const pub = init.publicNetwork === true
  const listen = init.listen ?? DEFAULT_LISTEN
  return {
    privateKey,
    // behind NAT, a relay reservation gives this node an address others can dial
    addresses: { listen: pub ? [...listen, '/p2p-circuit'] : listen },
    transports: pub ? [tcp(), webSockets(), circuitRelayTransport()] : [tcp(), webSockets()],
    nodeInfo: { userAgent: userAgent() },
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({ streamOptions: { maxReadBufferLength: YAMUX_READ_BUFFER } })],
    peerDiscovery,
    // A node's main thread can be busy for a while (GC, hashing a large
    // snapshot; before compiles moved to a worker, Binaryen for 4-6 s):
    // generous upgrade and negotiation deadlines keep its streams alive.
    connectionManager: {
      maxConnections: 300,
      inboundUpgradeTimeout: 30_000,
      inboundStreamProtocolNegotiationTimeout: 60_000,
      outboundStreamProtocolNegotiationTimeout: 60_000
    },
    // libp2p pings every connection each 10 s and aborts it when a ping
    // takes longer than the adaptive timeout (at least 5 s by default),
    // failing every stream on it with 'The operation was aborted due to
    // timeout'. A busy peer is not a dead one: this node's own streams
    // have stall deadlines (protocols/stall.ts), so the monitor only needs
    // to catch links that are truly gone.
    connectionMonitor: { pingTimeout: { minTimeout: PING_TIMEOUT_MIN_MS } },
    services: {
      identify: identify(),
      ...(pub ? { autoNAT: autoNAT(), dcutr: dcutr() } : {}),
      // kad-dht checks routing-table peers with ping, several at a time
      ping: ping({ maxOutboundStreams: 16, maxInboundStreams: 16 }),
      dht: kadDHT({
        protocol: init.dht === 'amino' ? AMINO_DHT_PROTOCOL : GATE_DHT_PROTOCOL,
        // a node that can be dialed serves the DHT (client mode would leave
        // routing tables empty on a private or loopback network)
        // On the public network undefined means automatic: server mode once
        // AutoNAT has confirmed a public address, client mode until then.
        clientMode: pub ? undefined : false,
        peerInfoMapper: init.privateAddresses === false || (pub && init.privateAddresses !== true) ? removePrivateAddressesMapper : passthroughMapper,
        // Not on the public network: circuit relay's relay discovery walks
        // the DHT at random, and with an empty routing table such queries end
        // at once, so the walk became a busy loop that starved the node.
        allowQueryWithZeroPeers: !pub,
        initialQuerySelfInterval: 200
      })
    },
    ...(init.logger != null ? { logger: init.logger } : {})
  }
}
