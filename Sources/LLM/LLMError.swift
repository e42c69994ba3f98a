import GGUF

/// Everything that can go wrong loading or running a Transformer in Loom's `LLM` module.
///
/// Each case carries enough context (tensor name, expected shape, architecture name, ...) for the
/// message alone to say what is wrong with which file.
public enum LLMError: Error, CustomStringConvertible, Equatable {
    /// `general.architecture` names an architecture this build has no forward pass for.
    case unknownArchitecture(String, known: [String])
    /// A required metadata key is absent.
    case missingMetadata(key: String)
    /// A metadata key holds a value of the wrong kind or out of range.
    case invalidMetadata(key: String, reason: String)
    /// A tensor the architecture needs is not in the file.
    case missingTensor(name: String)
    /// A tensor has a shape other than the configuration implies (shape[0] = row length).
    case tensorShape(name: String, expected: [Int], found: [Int])
    /// A tensor is stored in a type the kernels cannot multiply with.
    case unsupportedTensorType(name: String, type: String)
    /// A token id outside `0 ..< vocabularySize`.
    case tokenOutOfRange(token: Int, vocabularySize: Int)
    /// The tokens would not fit in the session's KV cache.
    case contextOverflow(requested: Int, contextLength: Int)
    /// A call that needs at least one token got none.
    case emptyInput
    /// A perplexity run needs at least one full chunk of `chunkLength` tokens.
    case textTooShort(tokens: Int, chunkLength: Int)
    /// A caller-chosen setting is out of range.
    case invalidArgument(String)

    /// A one-line, human-readable description.
    public var description: String {
        switch self {
        case .unknownArchitecture(let name, let known):
            return "unknown model architecture '\(name)' (supported: \(known.joined(separator: ", ")))"
        case .missingMetadata(let key):
            return "GGUF metadata key '\(key)' is missing"
        case .invalidMetadata(let key, let reason):
            return "GGUF metadata key '\(key)' is invalid: \(reason)"
        case .missingTensor(let name):
            return "tensor '\(name)' is missing from the model file"
        case .tensorShape(let name, let expected, let found):
            return "tensor '\(name)' has shape \(found), expected \(expected)"
        case .unsupportedTensorType(let name, let type):
            return "tensor '\(name)' has type \(type), which the kernels do not support"
        case .tokenOutOfRange(let token, let vocabularySize):
            return "token id \(token) is outside the vocabulary (size \(vocabularySize))"
        case .contextOverflow(let requested, let contextLength):
            return "\(requested) tokens do not fit in the context of \(contextLength) tokens"
        case .emptyInput:
            return "no tokens given"
        case .textTooShort(let tokens, let chunkLength):
            return "the text has \(tokens) tokens, fewer than one chunk of \(chunkLength)"
        case .invalidArgument(let message):
            return message
        }
    }
}
