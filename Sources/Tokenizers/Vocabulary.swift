/// Token types as GGUF stores them in `tokenizer.ggml.token_type` (llama.cpp `llama_token_type`).
public enum TokenType: Int, Sendable {
    /// No type given (or a type number GGUF does not define).
    case undefined = 0
    /// An ordinary BPE token, spelled in the byte-level alphabet.
    case normal = 1
    /// The unknown-token placeholder.
    case unknown = 2
    /// Structure of a conversation (`<|im_start|>`): recognised in text only when special parsing is on.
    case control = 3
    /// Added vocabulary (`<tool_call>` in Qwen): always recognised in text.
    case userDefined = 4
    /// A reserved, unused entry.
    case unused = 5
    /// A raw-byte token (`<0x0A>`, used by SentencePiece vocabularies).
    case byte = 6
}

/// The token strings of a vocabulary, stored flat, with a hash index from spelling to id.
///
/// Two spellings per token: `text` is the GGUF string (byte-level alphabet for normal tokens, raw
/// text for special ones); `piece` is the bytes the token stands for when decoded.
struct Vocabulary: Sendable {
    /// Number of tokens.
    let count: Int
    /// The type of each token (the tokenizer may promote end-of-turn tokens to `.control`).
    var types: [TokenType]
    private let textBytes: [UInt8]
    private let textOffsets: [Int32]
    private let pieceBytes: [UInt8]
    private let pieceOffsets: [Int32]
    private let index: ByteStringIndex

    /// Builds the vocabulary. An empty spelling becomes `[EMPTY_<id>]` (as llama.cpp does).
    /// - Throws: `TokenizerError.duplicateToken` when two ids share a spelling.
    init(tokens: [String], types: [TokenType]) throws {
        count = tokens.count
        self.types = types
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tokens.count * 8)
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(tokens.count + 1)
        for (id, token) in tokens.enumerated() {
            var token = token
            if token.isEmpty { token = "[EMPTY_\(id)]" }
            token.withUTF8 { bytes.append(contentsOf: $0) }
            offsets.append(Int32(bytes.count))
        }
        textBytes = bytes
        textOffsets = offsets

        var pieces: [UInt8] = []
        pieces.reserveCapacity(bytes.count)
        var pieceEnds: [Int32] = [0]
        pieceEnds.reserveCapacity(tokens.count + 1)
        bytes.withUnsafeBufferPointer { all in
            for id in 0..<tokens.count {
                let text = UnsafeBufferPointer(rebasing: all[Int(offsets[id])..<Int(offsets[id + 1])])
                switch types[id] {
                case .normal: ByteLevel.decode(utf8: text, into: &pieces)
                case .control, .userDefined, .unknown: pieces.append(contentsOf: text)
                case .undefined, .unused, .byte: break  // llama.cpp renders nothing for these
                }
                pieceEnds.append(Int32(pieces.count))
            }
        }
        pieceBytes = pieces
        pieceOffsets = pieceEnds

        var index = ByteStringIndex(capacity: tokens.count)
        try bytes.withUnsafeBufferPointer { all in
            try offsets.withUnsafeBufferPointer { offsets in
                for id in 0..<tokens.count {
                    let text = UnsafeBufferPointer(rebasing: all[Int(offsets[id])..<Int(offsets[id + 1])])
                    guard let first = index.insert(text, id: id, storage: all, offsets: offsets) else { continue }
                    throw TokenizerError.duplicateToken(text: String(decoding: text, as: UTF8.self),
                                                        firstID: first, secondID: id)
                }
            }
        }
        self.index = index
    }

    /// The GGUF spelling of a token.
    func text(_ id: Int) -> String {
        textBytes.withUnsafeBufferPointer {
            String(decoding: $0[Int(textOffsets[id])..<Int(textOffsets[id + 1])], as: UTF8.self)
        }
    }

    /// Calls `body` with the GGUF spelling of a token.
    func withText<R>(_ id: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try textBytes.withUnsafeBufferPointer {
            try body(UnsafeBufferPointer(rebasing: $0[Int(textOffsets[id])..<Int(textOffsets[id + 1])]))
        }
    }

    /// Calls `body` with the bytes a token decodes to.
    func withPiece<R>(_ id: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try pieceBytes.withUnsafeBufferPointer {
            try body(UnsafeBufferPointer(rebasing: $0[Int(pieceOffsets[id])..<Int(pieceOffsets[id + 1])]))
        }
    }

    /// Appends the bytes a token decodes to.
    func appendPiece(_ id: Int, to out: inout [UInt8]) {
        out.append(contentsOf: pieceBytes[Int(pieceOffsets[id])..<Int(pieceOffsets[id + 1])])
    }

    /// The id of the token spelled `text` (GGUF spelling), if any.
    func id(text: UnsafeBufferPointer<UInt8>) -> Int? {
        withLookup { $0.find(text) }
    }

    /// Calls `body` with a spelling-to-id lookup that is cheap to call many times.
    func withLookup<R>(_ body: (ByteStringIndex.View) throws -> R) rethrows -> R {
        try textBytes.withUnsafeBufferPointer { storage in
            try textOffsets.withUnsafeBufferPointer { offsets in
                try index.withView(storage: storage, offsets: offsets, body)
            }
        }
    }

    /// The id of the token spelled `text` (GGUF spelling), if any.
    func id(text: String) -> Int? {
        var text = text
        return text.withUTF8 { id(text: $0) }
    }
}

/// An open-addressing hash index from byte strings (kept in a flat store) to ids.
///
/// Faster to build than `[String: Int]` for 150k entries: no per-key allocation and no Unicode-aware
/// string hashing.
struct ByteStringIndex: Sendable {
    private var slots: [Int32]
    private let mask: Int

    /// Creates an empty index for up to `capacity` entries (load factor below one half).
    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// FNV-1a, 64 bit.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// Inserts `id` (whose spelling is `key`); returns the id already holding that spelling, if any.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, id: Int, storage: UnsafeBufferPointer<UInt8>,
                         offsets: UnsafeBufferPointer<Int32>) -> Int? {
        let mask = mask
        return slots.withUnsafeMutableBufferPointer { slots in
            var slot = Self.hash(key) & mask
            while true {
                let existing = Int(slots[slot])
                if existing < 0 {
                    slots[slot] = Int32(id)
                    return nil
                }
                if Self.equal(key, storage, Int(offsets[existing]), Int(offsets[existing + 1])) { return existing }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Calls `body` with a read-only view over the given flat store.
    func withView<R>(storage: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int32>,
                     _ body: (View) throws -> R) rethrows -> R {
        try slots.withUnsafeBufferPointer { try body(View(slots: $0, storage: storage, offsets: offsets, mask: mask)) }
    }

    /// Lookups over borrowed buffers (valid only inside `withView`).
    struct View {
        let slots: UnsafeBufferPointer<Int32>
        let storage: UnsafeBufferPointer<UInt8>
        let offsets: UnsafeBufferPointer<Int32>
        let mask: Int

        /// The id spelled `key`, if any.
        @inline(__always)
        func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
            var slot = ByteStringIndex.hash(key) & mask
            while true {
                let existing = Int(slots[slot])
                if existing < 0 { return nil }
                if ByteStringIndex.equal(key, storage, Int(offsets[existing]), Int(offsets[existing + 1])) {
                    return existing
                }
                slot = (slot + 1) & mask
            }
        }
    }

    @inline(__always)
    static func equal(_ key: UnsafeBufferPointer<UInt8>, _ storage: UnsafeBufferPointer<UInt8>,
                      _ start: Int, _ end: Int) -> Bool {
        guard end - start == key.count else { return false }
        var i = 0
        while i < key.count {
            if key[i] != storage[start + i] { return false }
            i += 1
        }
        return true
    }
}
