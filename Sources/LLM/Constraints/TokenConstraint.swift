import Tokenizers

/// A `JSONConstraint` seen through a tokenizer: which tokens may come next, judged by the bytes each
/// token decodes to. End-of-generation tokens are allowed exactly when the value is complete;
/// other control tokens never are.
public struct TokenConstraint: Sendable {
    /// The byte-level state.
    public private(set) var json: JSONConstraint
    private let tokenizer: Tokenizer
    /// Which bytes may come next: most tokens are rejected by their first byte without stepping the parser.
    private var firstBytes: [Bool]

    /// Starts a constraint for a value matching `schema`.
    public init(schema: JSONSchema, tokenizer: Tokenizer) {
        json = JSONConstraint(schema: schema)
        self.tokenizer = tokenizer
        firstBytes = Self.firstBytes(json)
    }

    private static func firstBytes(_ json: JSONConstraint) -> [Bool] {
        (0...255).map { json.accepts(CollectionOfOne(UInt8($0))) }
    }

    /// Whether `token` may come next.
    public func allows(_ token: Int) -> Bool {
        guard (0..<tokenizer.vocabularySize).contains(token) else { return false }
        if tokenizer.endOfGenerationTokens.contains(token) { return json.isComplete }
        if tokenizer.type(of: token) == .control { return false }
        return tokenizer.withBytes(of: token) { bytes in
            guard let first = bytes.first, firstBytes[Int(first)] else { return false }
            return bytes.count == 1 || json.accepts(bytes)
        }
    }

    /// Moves past `token`; returns false if it was not allowed (the constraint is then dead).
    @discardableResult
    public mutating func advance(_ token: Int) -> Bool {
        guard (0..<tokenizer.vocabularySize).contains(token) else { return false }
        let ok = tokenizer.withBytes(of: token) { json.advance($0) }
        firstBytes = Self.firstBytes(json)
        return ok
    }

    /// Moves past text that is already part of the value (a prefill); returns false, leaving the
    /// constraint unchanged, if the bytes are not a valid start.
    public mutating func advance(bytes: [UInt8]) -> Bool {
        var next = json
        guard next.advance(bytes) else { return false }
        json = next
        firstBytes = Self.firstBytes(json)
        return true
    }

    /// The bytes that must come next whatever the model writes: while exactly one byte can extend
    /// the value (and it is not complete), that byte; at most `limit` bytes.
    public func forcedContinuation(limit: Int) -> [UInt8] {
        guard firstBytes.lazy.filter({ $0 }).count == 1, !json.isComplete, let first = firstBytes.firstIndex(of: true) else {
            return []
        }
        var state = json
        var out: [UInt8] = [UInt8(first)]
        state.advance(CollectionOfOne(UInt8(first)))
        while out.count < limit, !state.isComplete {
            var only: UInt8?
            var count = 0
            for byte in 0...255 where state.accepts(CollectionOfOne(UInt8(byte))) {
                count += 1
                only = UInt8(byte)
                if count > 1 { break }
            }
            guard count == 1, let byte = only else { break }
            state.advance(CollectionOfOne(byte))
            out.append(byte)
        }
        return out
    }

    /// Whether the output so far is a complete value that cannot grow (generation should stop).
    public var isFinished: Bool { json.isComplete && !firstBytes.contains(true) }
}
