/// Splits a plugin's stdout into lines (MCP's stdio framing: one JSON-RPC message per line), holding at
/// most one unfinished line of `maxLineBytes`.
struct RPCLineSplitter {
    /// The longest line kept; a longer one is a flood.
    let maxLineBytes: Int
    /// The bytes after the last newline.
    private(set) var partial: [UInt8] = []

    /// Creates a splitter that refuses lines longer than `maxLineBytes`.
    init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    /// Feeds one chunk read from the pipe, calling `line` for each complete line (without its newline)
    /// until it returns false.
    ///
    /// - Returns: `.flood` (nothing delivered) when the unfinished line and the chunk together exceed
    ///   `maxLineBytes`, `.stopped` when `line` returned false, otherwise `.more`.
    mutating func append(_ chunk: UnsafeBufferPointer<UInt8>, line: ([UInt8]) -> Bool) -> Outcome {
        guard partial.count + chunk.count <= maxLineBytes else { return .flood }
        var start = 0
        for index in chunk.indices where chunk[index] == 0x0A {
            partial.append(contentsOf: chunk[start..<index])
            start = index + 1
            let complete = partial
            partial.removeAll(keepingCapacity: true)
            if !line(complete) { return .stopped }
        }
        partial.append(contentsOf: chunk[start...])
        return .more
    }

    /// What `append` did.
    enum Outcome: Equatable {
        /// Every line was delivered; more input is welcome.
        case more
        /// The line callback asked to stop.
        case stopped
        /// A line is longer than the limit.
        case flood
    }
}
