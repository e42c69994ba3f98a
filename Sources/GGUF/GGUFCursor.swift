/// Reads little-endian GGUF primitives from a byte range, checking every read against the end.
struct GGUFCursor {
    let base: UnsafeRawPointer
    let size: Int
    var offset: Int = 0

    /// Bytes left after the current position.
    var remaining: UInt64 { UInt64(size - offset) }

    /// Throws `truncated` unless `count` more bytes are available.
    func need(_ count: UInt64, _ what: @autoclosure () -> String) throws {
        guard count <= remaining else {
            throw GGUFError.truncated(what: what(), offset: UInt64(offset), needed: count, fileSize: UInt64(size))
        }
    }

    /// Reads one fixed-size little-endian integer or float.
    mutating func read<T: BitwiseCopyable>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        try need(UInt64(MemoryLayout<T>.size), what())
        let value = base.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return value
    }

    /// Reads a GGUF string: a UInt64 length, then that many UTF-8 bytes (invalid UTF-8 is repaired).
    mutating func readString(_ what: @autoclosure () -> String) throws -> String {
        let lengthOffset = offset
        let length = try read(UInt64.self, what())
        guard length <= remaining else {
            throw GGUFError.stringTooLong(length: length, offset: UInt64(lengthOffset), remainingBytes: remaining)
        }
        let bytes = UnsafeRawBufferPointer(start: base + offset, count: Int(length))
        offset += Int(length)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a count and checks that `count` items of at least `minimumSize` bytes fit in the rest of the file.
    mutating func readCount(_ what: String, minimumSize: UInt64) throws -> Int {
        let countOffset = offset
        let count = try read(UInt64.self, what + " count")
        return try checkCount(count, what, minimumSize: minimumSize, at: countOffset)
    }

    /// Checks that `count` items of at least `minimumSize` bytes fit in the rest of the file.
    func checkCount(_ count: UInt64, _ what: String, minimumSize: UInt64, at countOffset: Int) throws -> Int {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(minimumSize, 1))
        guard !overflow, bytes <= remaining else {
            throw GGUFError.countTooLarge(what: what, count: count, offset: UInt64(countOffset), remainingBytes: remaining)
        }
        return Int(count)
    }
}
