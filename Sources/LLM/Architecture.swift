import GGUF

/// How RoPE pairs the elements of a head.
public enum RopeStyle: Sendable {
    /// Rotate element 2i with 2i+1 (llama.cpp `LLAMA_ROPE_TYPE_NORM`; llama).
    case normal
    /// Rotate element i with i + headDim/2 (llama.cpp `LLAMA_ROPE_TYPE_NEOX`; qwen2).
    case neox
}

/// One model architecture: which tensors it binds and how its blocks differ from the llama graph.
///
/// Every architecture Loom supports today is a pre-norm decoder with RMS norm, RoPE, grouped-query
/// attention and a SwiGLU feed-forward network; the graph itself lives in `DecoderBlock`, and an
/// architecture contributes its weight binding and its variations (RoPE layout, Q/K/V biases).
public protocol Architecture: Sendable {
    /// The value of `general.architecture` this type handles.
    static var name: String { get }
    /// The RoPE layout.
    var ropeStyle: RopeStyle { get }
    /// Binds the weights from the file, checking every shape.
    /// - Throws: `LLMError.missingTensor`, `.tensorShape`, `.unsupportedTensorType`.
    func bindWeights(file: GGUFFile, configuration: ModelConfiguration) throws -> ModelWeights
}

/// The architectures Loom can run, keyed by `general.architecture`.
public enum ArchitectureRegistry {
    /// Every supported architecture.
    public static let all: [any Architecture] = [Llama(), Qwen2()]

    /// The names of the supported architectures, sorted.
    public static var names: [String] { all.map { type(of: $0).name }.sorted() }

    /// The architecture named `name`.
    /// - Throws: `LLMError.unknownArchitecture` listing what is supported.
    public static func architecture(named name: String) throws -> any Architecture {
        guard let found = all.first(where: { type(of: $0).name == name }) else {
            throw LLMError.unknownArchitecture(name, known: names)
        }
        return found
    }
}
