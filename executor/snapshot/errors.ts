/** A block of a snapshot is missing or does not match its CID. */
export class SnapshotCorruptError extends Error {
  static name = 'SnapshotCorruptError'
  constructor (message: string) { super(message); this.name = 'SnapshotCorruptError' }
}

/** Not a snapshot, or a format version this code does not read. */
export class SnapshotVersionError extends Error {
  static name = 'SnapshotVersionError'
  constructor (message: string) { super(message); this.name = 'SnapshotVersionError' }
}
