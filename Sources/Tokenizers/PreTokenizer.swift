/// Splits text into the words that BPE then merges inside, exactly as llama.cpp does for a
/// vocabulary's `tokenizer.ggml.pre`.
///
/// Hand-written matchers instead of a regex engine: they are faster and behave the same on every
/// platform. Each one follows a specific llama.cpp code path (see the `Kind` cases).
public struct PreTokenizer: Sendable, Equatable {
    /// The pre-tokenizers Loom implements, named as in `tokenizer.ggml.pre`.
    public enum Kind: String, CaseIterable, Sendable {
        /// Qwen2 / Qwen2.5. llama.cpp runs this expression through `std::regex` on its
        /// "collapsed" text (every non-ASCII scalar replaced by a byte for its class):
        /// `(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|`
        /// ` ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
        case qwen2
        /// SmolLM (StarCoder family): first every `\p{N}` alone, then inside the rest GPT-2's
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`, which llama.cpp
        /// runs through its hand-written `unicode_regex_split_custom_gpt2`.
        case smollm
    }

    /// Which rules apply.
    public let kind: Kind

    /// Creates a pre-tokenizer of the given kind.
    public init(kind: Kind) { self.kind = kind }

    /// Splits text into words (for inspection and tests; encoding uses the byte-range form).
    public func words(_ text: String) -> [String] {
        var bytes = Array(text.utf8)
        var result: [String] = []
        bytes.withUnsafeMutableBufferPointer { buffer in
            let view = UnsafeBufferPointer(buffer)
            split(view) { range in result.append(String(decoding: view[range], as: UTF8.self)) }
        }
        return result
    }

    /// Calls `body` with the byte range of each word of `bytes`, in order; the ranges tile the input.
    func split(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        if bytes.isEmpty { return }
        let text = ScalarText(bytes)
        let n = text.count
        func emit(_ start: Int, _ end: Int) { body(text.offsets[start]..<text.offsets[end]) }
        switch kind {
        case .qwen2:
            var p = 0
            while p < n {
                let end = Self.qwen2Match(text, at: p)
                emit(p, end)
                p = end
            }
        case .smollm:
            var segmentStart = 0
            for i in 0...n where i == n || text.classes[i].isNumber {
                var p = segmentStart
                while p < i {
                    let end = Self.gpt2Match(text, at: p, end: i)
                    emit(p, end)
                    p = end
                }
                if i < n { emit(i, i + 1) }
                segmentStart = i + 1
            }
        }
    }

    /// The end of the Qwen2 match starting at scalar `p` (ECMAScript: first alternative that matches).
    private static func qwen2Match(_ text: ScalarText, at p: Int) -> Int {
        let n = text.count
        let v = text.scalars[p]
        let c = text.classes[p]
        // (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])
        if v == 0x27, p + 1 < n {
            if let length = contractionLength(text, at: p, end: n, foldCase: true) { return p + length }
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if c.isLetter || (!c.isLineBreak && !c.isNumber && p + 1 < n && text.classes[p + 1].isLetter) {
            var q = p + 1
            while q < n && text.classes[q].isLetter { q += 1 }
            return q
        }
        // \p{N}
        if c.isNumber { return p + 1 }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        if c.isOther || (v == 0x20 && p + 1 < n && text.classes[p + 1].isOther) {
            var q = c.isOther ? p : p + 1
            while q < n && text.classes[q].isOther { q += 1 }
            while q < n && text.classes[q].isLineBreak { q += 1 }
            return q
        }
        // Whitespace: `\s*[\r\n]+`, then `\s+(?!\S)`, then `\s+`.
        var q = p
        var afterLastBreak = -1
        while q < n && text.classes[q].isWhitespace {
            if text.classes[q].isLineBreak { afterLastBreak = q + 1 }
            q += 1
        }
        if afterLastBreak > 0 { return afterLastBreak }
        let run = q - p
        if q == n { return n }
        return run >= 2 ? q - 1 : p + 1
    }

    /// The end of the GPT-2 match starting at scalar `p` inside a segment ending at `end`.
    /// Mirrors llama.cpp `unicode_regex_split_custom_gpt2` step by step.
    private static func gpt2Match(_ text: ScalarText, at p: Int, end: Int) -> Int {
        let v = text.scalars[p]
        // 's|'t|'re|'ve|'m|'ll|'d (lower case only)
        if v == 0x27, p + 1 < end {
            if let length = contractionLength(text, at: p, end: end, foldCase: false) { return p + length }
        }
        let space = v == 0x20
        let inRange = !space || p + 1 < end
        let c2 = space ? (p + 1 < end ? text.classes[p + 1] : []) : text.classes[p]
        let start = space ? p + 1 : p
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
        if c2.isLetter || c2.isNumber || (inRange && c2.isOther) {
            var q = start
            if c2.isLetter {
                while q < end && text.classes[q].isLetter { q += 1 }
            } else if c2.isNumber {
                while q < end && text.classes[q].isNumber { q += 1 }
            } else {
                while q < end && text.classes[q].isOther { q += 1 }
            }
            return q
        }
        // `\s+(?!\S)`, then `\s+`
        var q = p
        while q < end && text.classes[q].isWhitespace { q += 1 }
        let run = q - p
        if run > 1 && q < end { return q - 1 }
        if run > 0 { return q }
        return p + 1
    }

    /// The length of an English contraction (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`) at `p`, if any.
    private static func contractionLength(_ text: ScalarText, at p: Int, end: Int, foldCase: Bool) -> Int? {
        func letter(_ i: Int) -> UInt32 {
            let v = text.scalars[i]
            return foldCase && (0x41...0x5A).contains(v) ? v + 0x20 : v
        }
        let a = letter(p + 1)
        if a == 0x73 || a == 0x74 || a == 0x6D || a == 0x64 { return 2 }  // s t m d
        guard p + 2 < end else { return nil }
        let b = letter(p + 2)
        if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) { return 3 }  // re ve ll
        return nil
    }
}

/// Text decoded to scalars with their classes and byte offsets (`offsets[count]` is the byte length).
struct ScalarText {
    var scalars: [UInt32] = []
    var classes: [CharacterClass] = []
    var offsets: [Int] = []
    var count: Int { scalars.count }

    /// Decodes UTF-8; a malformed byte becomes U+FFFD of length one (as llama.cpp does).
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        scalars.reserveCapacity(bytes.count)
        classes.reserveCapacity(bytes.count)
        offsets.reserveCapacity(bytes.count + 1)
        var i = 0
        while i < bytes.count {
            let length = UTF8Scalars.sequenceLength(bytes[i])
            var scalar: UInt32 = 0xFFFD
            var step = 1
            if i + length <= bytes.count, let decoded = UTF8Scalars.decode(bytes, at: i, length: length) {
                scalar = decoded
                step = length
            }
            scalars.append(scalar)
            classes.append(CharacterClass.of(scalar))
            offsets.append(i)
            i += step
        }
        offsets.append(bytes.count)
    }
}
