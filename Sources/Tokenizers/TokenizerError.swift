/// Everything that can go wrong while loading a tokenizer or rendering a chat template.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// A metadata key the tokenizer needs is absent.
    case missingKey(String)
    /// A metadata key has the wrong type or an unusable value.
    case invalidValue(key: String, reason: String)
    /// `tokenizer.ggml.model` names a tokenizer Loom does not implement.
    case unsupportedModel(String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer Loom does not implement.
    case unsupportedPreTokenizer(String)
    /// The same token text appears at two ids.
    case duplicateToken(text: String, firstID: Int, secondID: Int)
    /// A merge rule is not of the form `left right`.
    case malformedMerge(index: Int, text: String)
    /// A special token id (bos, eos, ...) is outside the vocabulary.
    case specialTokenOutOfRange(key: String, id: Int, vocabularySize: Int)
    /// The chat template is not one Loom recognises (and no fallback was allowed).
    case unknownChatTemplate(excerpt: String)
    /// A chat template needs a token the vocabulary does not have.
    case missingTemplateToken(String)

    /// A one-line explanation for people.
    public var description: String {
        switch self {
        case let .missingKey(key): return "tokenizer metadata key '\(key)' is missing"
        case let .invalidValue(key, reason): return "tokenizer metadata key '\(key)': \(reason)"
        case let .unsupportedModel(model): return "tokenizer model '\(model)' is not supported (only gpt2 byte-level BPE)"
        case let .unsupportedPreTokenizer(pre):
            return "pre-tokenizer '\(pre)' is not supported (supported: \(PreTokenizer.Kind.allCases.map(\.rawValue).joined(separator: ", ")))"
        case let .duplicateToken(text, first, second):
            return "token text \(text.debugDescription) appears at ids \(first) and \(second)"
        case let .malformedMerge(index, text): return "merge rule \(index) \(text.debugDescription) is not 'left right'"
        case let .specialTokenOutOfRange(key, id, size): return "'\(key)' = \(id) is outside the vocabulary of \(size) tokens"
        case let .unknownChatTemplate(excerpt): return "unrecognised chat template: \(excerpt.debugDescription)"
        case let .missingTemplateToken(token): return "the chat template needs token \(token) but the vocabulary lacks it"
        }
    }
}
