/// A byte-level BPE tokenizer (GGUF `tokenizer.ggml.model = gpt2`) that reproduces llama.cpp's ids.
///
/// Encoding: special tokens are cut out first (`tokenizer_st_partition`), the rest is split into
/// words by the pre-tokenizer, and each word is merged by BPE. Decoding concatenates the bytes each
/// token stands for. No BOS/EOS is ever added: chat templates write the tokens they need.
public final class Tokenizer: Sendable {
    /// The word-splitting rules (`tokenizer.ggml.pre`).
    public let preTokenizer: PreTokenizer
    /// Beginning-of-sequence token, if the vocabulary names one.
    public let bosToken: Int?
    /// End-of-sequence token, if the vocabulary names one.
    public let eosToken: Int?
    /// Tokens that end generation (eos and the end-of-turn tokens llama.cpp recognises by text).
    public let endOfGenerationTokens: Set<Int>
    /// The Jinja chat template stored with the vocabulary (`tokenizer.chat_template`), if any.
    public let chatTemplate: String?

    let vocabulary: Vocabulary
    private let bpe: BPE
    /// CONTROL, USER_DEFINED and UNKNOWN tokens, longest spelling first (ties: lower id first).
    private let specialTokens: [Int]

    /// Texts that mark a token as end-of-generation (a subset of llama.cpp's list in `llama_vocab::impl::load`).
    static let endOfGenerationTexts: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>",
        "<|end_of_text|>", "<|fim_pad|>", "<|repo_name|>", "<|fim_repo|>", "<|file_sep|>",
    ]

    /// Builds a tokenizer from vocabulary data (normally read from GGUF, see `init(gguf:)`).
    /// - Parameters:
    ///   - tokens: token spellings by id (byte-level alphabet for normal tokens).
    ///   - types: token types by id (all `.normal` when the file has none).
    ///   - merges: BPE rules `left right`, highest priority first.
    ///   - preTokenizer: the word-splitting rules.
    ///   - bosToken, eosToken: special ids, if any.
    ///   - chatTemplate: the Jinja template text, if any.
    /// - Throws: `TokenizerError` for duplicate spellings, mismatched type counts or ids out of range.
    public init(tokens: [String], types: [TokenType], merges: [String], preTokenizer: PreTokenizer.Kind,
                bosToken: Int? = nil, eosToken: Int? = nil, chatTemplate: String? = nil) throws {
        guard types.count == tokens.count else {
            throw TokenizerError.invalidValue(key: GGUFKeys.tokenTypes,
                                              reason: "\(types.count) types for \(tokens.count) tokens")
        }
        for (key, id) in [(GGUFKeys.bosID, bosToken), (GGUFKeys.eosID, eosToken)] {
            if let id, !(0..<tokens.count).contains(id) {
                throw TokenizerError.specialTokenOutOfRange(key: key, id: id, vocabularySize: tokens.count)
            }
        }
        var vocabulary = try Vocabulary(tokens: tokens, types: types)
        var endOfGeneration = Set<Int>()
        for text in Self.endOfGenerationTexts {
            guard let id = vocabulary.id(text: text) else { continue }
            endOfGeneration.insert(id)
            // llama.cpp overrides such a token's type to CONTROL when the file says otherwise.
            vocabulary.types[id] = .control
        }
        if let eosToken { endOfGeneration.insert(eosToken) }
        self.vocabulary = vocabulary
        bpe = BPE(merges: merges, vocabulary: vocabulary)
        self.preTokenizer = PreTokenizer(kind: preTokenizer)
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.chatTemplate = chatTemplate
        endOfGenerationTokens = endOfGeneration
        let special = vocabulary.types.indices.filter { id in
            switch vocabulary.types[id] {
            case .control, .userDefined, .unknown: return true
            default: return false
            }
        }
        let lengths = special.map { id in vocabulary.withText(id) { $0.count } }
        specialTokens = zip(special, lengths).sorted { a, b in a.1 != b.1 ? a.1 > b.1 : a.0 < b.0 }.map(\.0)
    }

    /// Number of tokens in the vocabulary.
    public var vocabularySize: Int { vocabulary.count }

    /// Number of BPE merge rules.
    public var mergeCount: Int { bpe.ruleCount }

    /// The type of a token.
    public func type(of id: Int) -> TokenType { vocabulary.types[id] }

    /// The GGUF spelling of a token (byte-level alphabet for normal tokens: `Ġthe`).
    public func spelling(of id: Int) -> String { vocabulary.text(id) }

    /// The id of the token with exactly this GGUF spelling (e.g. `<|im_end|>`), if any.
    public func tokenID(spelledAs text: String) -> Int? { vocabulary.id(text: text) }

    /// The token that stands for one raw byte, if the vocabulary has it. Some vocabularies lack a few
    /// (SmolLM2 has no token for bytes such as 0x04 or 0xF1); llama.cpp, and so Loom, drops such bytes
    /// when encoding.
    public func byteToken(_ byte: UInt8) -> Int? {
        var spelling: [UInt8] = []
        ByteLevel.encode(CollectionOfOne(byte), into: &spelling)
        return spelling.withUnsafeBufferPointer { vocabulary.id(text: $0) }
    }

    /// The bytes a token stands for (a control token's own text; may be an incomplete UTF-8 sequence).
    public func bytes(of id: Int) -> [UInt8] { vocabulary.withPiece(id) { Array($0) } }

    /// Calls `body` with the bytes a token stands for, without copying.
    public func withBytes<R>(of id: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try vocabulary.withPiece(id, body)
    }

    /// Encodes text to token ids.
    /// - Parameters:
    ///   - text: the text.
    ///   - parseSpecial: whether CONTROL tokens written in the text (`<|im_start|>`) become their ids.
    ///     Keep it off for untrusted text. USER_DEFINED tokens (`<tool_call>`) are always recognised,
    ///     as in llama.cpp.
    public func encode(_ text: String, parseSpecial: Bool = false) -> [Int] {
        var text = text
        return text.withUTF8 { encode(bytes: $0, parseSpecial: parseSpecial) }
    }

    /// Encodes UTF-8 bytes to token ids (see `encode(_:parseSpecial:)`).
    public func encode(bytes: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Int] {
        encode(fragments: partition(bytes, parseSpecial: parseSpecial), in: bytes)
    }

    /// Encodes partitioned text: special tokens as they are, text fragments through pre-tokenizer and BPE.
    func encode(fragments: [Fragment], in bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        var output: [Int] = []
        output.reserveCapacity(bytes.count / 3 + 4)
        var scratch = BPE.Scratch()
        for fragment in fragments {
            switch fragment {
            case let .token(id):
                output.append(id)
            case let .text(range):
                let slice = UnsafeBufferPointer(rebasing: bytes[range])
                preTokenizer.split(slice) { word in
                    bpe.encode(UnsafeBufferPointer(rebasing: slice[word]), vocabulary: vocabulary,
                               scratch: &scratch, into: &output)
                }
            }
        }
        return output
    }

    /// Decodes token ids to bytes.
    /// - Parameter renderSpecial: whether CONTROL tokens contribute their text (as llama.cpp's `special`).
    public func decodeBytes(_ ids: [Int], renderSpecial: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids where (0..<vocabulary.count).contains(id) {
            if !renderSpecial && vocabulary.types[id] == .control { continue }
            vocabulary.appendPiece(id, to: &out)
        }
        return out
    }

    /// Decodes token ids to text (invalid UTF-8, e.g. a cut multi-byte character, becomes U+FFFD).
    public func decode(_ ids: [Int], renderSpecial: Bool = true) -> String {
        String(decoding: decodeBytes(ids, renderSpecial: renderSpecial), as: UTF8.self)
    }

    /// A piece of text after special-token partitioning.
    enum Fragment {
        case token(Int)
        case text(Range<Int>)
    }

    /// Cuts special tokens out of the text. Mirrors llama.cpp `tokenizer_st_partition`: for each
    /// special token, longest first, every occurrence in every remaining text fragment is cut out.
    func partition(_ bytes: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Fragment] {
        guard !bytes.isEmpty else { return [] }
        var fragments: [Fragment] = [.text(0..<bytes.count)]
        for id in specialTokens {
            let type = vocabulary.types[id]
            if !parseSpecial && (type == .control || type == .unknown) { continue }
            vocabulary.withText(id) { needle in
                guard !needle.isEmpty, Self.contains(bytes, needle) else { return }
                var next: [Fragment] = []
                next.reserveCapacity(fragments.count + 2)
                for fragment in fragments {
                    guard case let .text(range) = fragment else {
                        next.append(fragment)
                        continue
                    }
                    var start = range.lowerBound
                    while let match = Self.find(needle, in: bytes, from: start, to: range.upperBound) {
                        if match > start { next.append(.text(start..<match)) }
                        next.append(.token(id))
                        start = match + needle.count
                    }
                    if start < range.upperBound { next.append(.text(start..<range.upperBound)) }
                }
                fragments = next
            }
        }
        return fragments
    }

    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        find(needle, in: haystack, from: 0, to: haystack.count) != nil
    }

    /// The first index in `from..<to` where `needle` occurs entirely inside that range.
    private static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>,
                             from: Int, to: Int) -> Int? {
        let n = needle.count
        guard n > 0, to - from >= n else { return nil }
        let first = needle[0]
        var i = from
        let last = to - n
        outer: while i <= last {
            if haystack[i] != first {
                i += 1
                continue
            }
            var j = 1
            while j < n {
                if haystack[i + j] != needle[j] {
                    i += 1
                    continue outer
                }
                j += 1
            }
            return i
        }
        return nil
    }
}
