/// Turns generated tokens into text as they arrive, emitting only complete UTF-8 characters.
///
/// A byte-level token can end in the middle of a multi-byte character (an emoji is often split over
/// two or three tokens); the incomplete tail is held back until the next token completes it.
public struct StreamingDetokenizer: Sendable {
    private let tokenizer: Tokenizer
    private let renderSpecial: Bool
    private var pending: [UInt8] = []

    /// Creates a detokenizer.
    /// - Parameter renderSpecial: whether CONTROL tokens contribute their text.
    public init(tokenizer: Tokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// Adds one token and returns the text that is now complete (possibly empty).
    public mutating func append(_ id: Int) -> String {
        pending.append(contentsOf: tokenizer.decodeBytes([id], renderSpecial: renderSpecial))
        let cut = Self.completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Returns whatever is still held back (an incomplete character becomes U+FFFD) and resets.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Bytes held back, waiting for the rest of a character.
    public var pendingByteCount: Int { pending.count }

    /// The length of the longest prefix that does not end inside an incomplete UTF-8 sequence.
    /// Malformed bytes count as complete (they decode to U+FFFD), so nothing is held back forever.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        // A sequence is at most 4 bytes: look back at most 3 bytes for a lead byte.
        var i = n - 1
        while i >= 0 && i >= n - 4 {
            let byte = bytes[i]
            if byte & 0xC0 != 0x80 {
                let needed = UTF8Scalars.sequenceLength(byte)
                return needed > n - i ? i : n
            }
            i -= 1
        }
        return n
    }
}
