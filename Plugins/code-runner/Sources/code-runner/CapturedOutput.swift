/// One output stream of a run, kept within a byte budget: the first `headLimit` bytes and the last
/// `tailLimit` bytes, with a count of everything the program wrote.
///
/// A traceback sits at the end of stderr, a program's first lines at the start of stdout; keeping both ends
/// shows the model what matters when a program prints too much.
struct CapturedOutput: Sendable, Equatable {
    /// Bytes kept from the start of the stream.
    let headLimit: Int
    /// Bytes kept from the end of the stream.
    let tailLimit: Int
    /// The first bytes (at most `headLimit`).
    private(set) var head: [UInt8] = []
    /// Bytes after the head; trimmed to the last `tailLimit` bytes lazily (at most `2 * tailLimit` kept).
    private var tail: [UInt8] = []
    /// Total bytes the program wrote to this stream.
    private(set) var totalBytes = 0

    /// Creates an empty capture that keeps `headLimit + tailLimit` bytes at most.
    init(headLimit: Int, tailLimit: Int) {
        self.headLimit = max(0, headLimit)
        self.tailLimit = max(0, tailLimit)
    }

    /// Adds bytes read from the stream.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        totalBytes += bytes.count
        var rest = bytes[...]
        if head.count < headLimit {
            let take = min(headLimit - head.count, rest.count)
            head.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
        }
        guard !rest.isEmpty, tailLimit > 0 else { return }
        tail.append(contentsOf: rest.suffix(tailLimit))
        if tail.count > 2 * tailLimit { tail.removeFirst(tail.count - tailLimit) }
    }

    /// Whether bytes were dropped from the middle.
    var truncated: Bool { totalBytes > head.count + keptTail.count }

    private var keptTail: ArraySlice<UInt8> { tail.suffix(tailLimit) }

    /// The kept text, with a marker where bytes were dropped (invalid UTF-8 becomes U+FFFD).
    var text: String {
        let tailBytes = keptTail
        guard truncated else { return String(decoding: head + tailBytes, as: UTF8.self) }
        let omitted = totalBytes - head.count - tailBytes.count
        let marker = "\n[... output truncated: \(omitted) bytes omitted of \(totalBytes) ...]\n"
        return String(decoding: head, as: UTF8.self) + marker + String(decoding: tailBytes, as: UTF8.self)
    }
}
