/// Byte-level BPE: the merge table and the merge loop over one pre-tokenized word.
///
/// Mirrors llama.cpp `llm_tokenizer_bpe_session::tokenize`: start from one symbol per byte, repeatedly
/// merge the adjacent pair with the lowest merge rank (the leftmost on ties), then map each final
/// symbol to its token. llama.cpp compares symbol strings; here symbols are token ids, which is the
/// same thing because spelling and id determine each other. A merge whose parts or result are not
/// in the vocabulary still takes part (as in llama.cpp) through a "virtual" id past the vocabulary.
struct BPE: Sendable {
    /// One merge rule: its rank (position in `tokenizer.ggml.merges`) and the symbol it produces.
    struct Rule: Sendable {
        var rank: Int32
        var result: Int32
    }

    private let rules: PairTable
    /// The symbol of each single byte.
    private let byteSymbols: [Int32]
    /// Spellings (byte-level alphabet) of virtual symbols, id = vocabulary count + index.
    private let virtualTexts: [[UInt8]]
    private let vocabularyCount: Int

    /// Builds the merge table from `left right` rules (GGUF byte-level spelling).
    /// A rule with no space after its first character is ignored, as llama.cpp does.
    init(merges: [String], vocabulary: Vocabulary) {
        vocabularyCount = vocabulary.count
        (rules, byteSymbols, virtualTexts) = vocabulary.withLookup { lookup in
            var virtualIDs: [[UInt8]: Int32] = [:]
            var virtualTexts: [[UInt8]] = []
            func symbol(_ text: UnsafeBufferPointer<UInt8>) -> Int32 {
                if let id = lookup.find(text) { return Int32(id) }
                let key = Array(text)
                if let id = virtualIDs[key] { return id }
                let id = Int32(vocabulary.count + virtualTexts.count)
                virtualIDs[key] = id
                virtualTexts.append(key)
                return id
            }

            var byteSymbols = [Int32](repeating: 0, count: 256)
            var spelling: [UInt8] = []
            for byte in 0..<256 {
                spelling.removeAll(keepingCapacity: true)
                ByteLevel.encode(CollectionOfOne(UInt8(byte)), into: &spelling)
                byteSymbols[byte] = spelling.withUnsafeBufferPointer { symbol($0) }
            }

            var rules = PairTable(capacity: merges.count)
            var joined = [UInt8](repeating: 0, count: 256)
            for (rank, merge) in merges.enumerated() {
                var merge = merge
                merge.withUTF8 { text in
                    guard text.count > 2, let space = text[1...].firstIndex(of: 0x20) else { return }
                    let left = symbol(UnsafeBufferPointer(rebasing: text[..<space]))
                    let right = symbol(UnsafeBufferPointer(rebasing: text[(space + 1)...]))
                    if joined.count < text.count { joined = [UInt8](repeating: 0, count: text.count) }
                    let result = joined.withUnsafeMutableBufferPointer { buffer in
                        var n = 0
                        for (i, byte) in text.enumerated() where i != space {
                            buffer[n] = byte
                            n += 1
                        }
                        return symbol(UnsafeBufferPointer(rebasing: buffer[..<n]))
                    }
                    rules.insertIfAbsent(Self.key(left, right), Rule(rank: Int32(rank), result: result))
                }
            }
            return (rules, byteSymbols, virtualTexts)
        }
    }

    /// Number of merge rules.
    var ruleCount: Int { rules.count }

    /// Encodes one word (raw bytes) and appends its token ids.
    func encode(_ word: UnsafeBufferPointer<UInt8>, vocabulary: Vocabulary, scratch: inout Scratch,
                into output: inout [Int]) {
        let n = word.count
        if n == 0 { return }
        if n == 1 {
            append(byteSymbols[Int(word[0])], vocabulary: vocabulary, into: &output)
            return
        }
        scratch.reset(count: n)
        for i in 0..<n {
            scratch.symbols[i] = byteSymbols[Int(word[i])]
            scratch.prev[i] = Int32(i - 1)
            scratch.next[i] = i + 1 < n ? Int32(i + 1) : -1
        }
        for i in 1..<n { push(left: i - 1, right: i, scratch: &scratch) }

        while let entry = scratch.heap.popMin() {
            let rank = Int32(truncatingIfNeeded: entry >> 32)
            let left = Int(UInt32(truncatingIfNeeded: entry))
            let leftSymbol = scratch.symbols[left]
            let right = Int(scratch.next[left])
            guard leftSymbol >= 0, right >= 0,
                  let rule = rules.find(Self.key(leftSymbol, scratch.symbols[right])), rule.rank == rank else { continue }
            scratch.symbols[left] = rule.result
            scratch.symbols[right] = -1
            let after = scratch.next[right]
            scratch.next[left] = after
            if after >= 0 { scratch.prev[Int(after)] = Int32(left) }
            let before = Int(scratch.prev[left])
            if before >= 0 { push(left: before, right: left, scratch: &scratch) }
            if after >= 0 { push(left: left, right: Int(after), scratch: &scratch) }
        }

        var i = 0
        while i >= 0 {
            append(scratch.symbols[i], vocabulary: vocabulary, into: &output)
            i = Int(scratch.next[i])
        }
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func push(left: Int, right: Int, scratch: inout Scratch) {
        guard let rule = rules.find(Self.key(scratch.symbols[left], scratch.symbols[right])) else { return }
        scratch.heap.push(UInt64(UInt32(rule.rank)) << 32 | UInt64(UInt32(left)))
    }

    /// Appends a final symbol: its id, or for a virtual symbol the single-byte tokens of its spelling
    /// that exist (llama.cpp's fallback, which drops the rest).
    @inline(__always)
    private func append(_ symbol: Int32, vocabulary: Vocabulary, into output: inout [Int]) {
        let id = Int(symbol)
        if id < vocabularyCount {
            output.append(id)
            return
        }
        for byte in virtualTexts[id - vocabularyCount] {
            let found = withUnsafeBytes(of: byte) { raw in
                vocabulary.id(text: raw.bindMemory(to: UInt8.self))
            }
            if let found { output.append(found) }
        }
    }

    /// Buffers reused across the words of one `encode` call.
    struct Scratch {
        var symbols: [Int32] = []
        var prev: [Int32] = []
        var next: [Int32] = []
        var heap = MinHeap()

        mutating func reset(count: Int) {
            if symbols.count < count {
                symbols = [Int32](repeating: 0, count: count)
                prev = symbols
                next = symbols
            }
            heap.removeAll()
        }
    }
}

/// A binary min-heap of packed `rank << 32 | position` keys (lowest rank first, then leftmost).
struct MinHeap {
    private var items: [UInt64] = []

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    mutating func push(_ value: UInt64) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if items[parent] <= items[child] { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func popMin() -> UInt64? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return first }
        items[0] = last
        var parent = 0
        let count = items.count
        while true {
            let left = 2 * parent + 1
            if left >= count { break }
            let right = left + 1
            let smaller = right < count && items[right] < items[left] ? right : left
            if items[parent] <= items[smaller] { break }
            items.swapAt(parent, smaller)
            parent = smaller
        }
        return first
    }
}

/// An open-addressing hash table from a packed symbol pair to its merge rule (no per-entry allocation).
struct PairTable: Sendable {
    private var keys: [UInt64]
    private var values: [BPE.Rule]
    private let mask: Int
    /// Number of rules stored.
    private(set) var count = 0
    private static let empty = UInt64.max

    /// Creates an empty table for up to `capacity` rules (load factor below one half).
    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [BPE.Rule](repeating: BPE.Rule(rank: 0, result: 0), count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20)
    }

    /// Stores a rule unless the pair already has one (the first, highest-priority rule wins).
    mutating func insertIfAbsent(_ key: UInt64, _ rule: BPE.Rule) {
        var i = Self.slot(key) & mask
        while keys[i] != Self.empty {
            if keys[i] == key { return }
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = rule
        count += 1
    }

    /// The rule of a pair, if any.
    @inline(__always)
    func find(_ key: UInt64) -> BPE.Rule? {
        var i = Self.slot(key) & mask
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }
}
