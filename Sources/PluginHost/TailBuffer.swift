/// The last `capacity` bytes of a stream, in storage allocated once: however much is appended, the buffer
/// never holds more than `capacity` bytes (a ring; the oldest bytes are overwritten).
///
/// Keeps a plugin's stderr for error messages. A `Data` cut with `suffix` would not do: the slice keeps the
/// whole growing buffer alive, so a plugin writing 100 MB to stderr would grow the host by 100 MB.
struct TailBuffer {
    /// Most bytes kept.
    let capacity: Int
    private var storage: [UInt8]
    /// Where the next byte goes.
    private var end = 0
    /// Bytes held (at most `capacity`).
    private(set) var count = 0

    /// Creates an empty buffer keeping at most `capacity` bytes.
    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        storage = [UInt8](repeating: 0, count: self.capacity)
    }

    /// Appends `bytes`, dropping the oldest bytes beyond `capacity`.
    mutating func append<Bytes: Collection>(contentsOf bytes: Bytes) where Bytes.Element == UInt8 {
        var source = bytes[...]
        if source.count > capacity { source = source.suffix(capacity) }
        for byte in source {
            storage[end] = byte
            end = end + 1 == capacity ? 0 : end + 1
        }
        count = min(count + source.count, capacity)
    }

    /// The bytes held, oldest first.
    var bytes: [UInt8] {
        guard count == capacity else { return Array(storage[(end - count + capacity) % capacity ..< end]) }
        return Array(storage[end...] + storage[..<end])
    }
}
