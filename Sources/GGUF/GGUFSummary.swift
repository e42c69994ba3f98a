extension GGUFFile {
    /// What `loom models info` shows about a model file.
    public struct Summary: Sendable, Equatable {
        /// `general.architecture`, e.g. `qwen2` (nil if absent).
        public var architecture: String?
        /// `general.name` (nil if absent).
        public var name: String?
        /// The GGUF version.
        public var version: UInt32
        /// Total elements of all tensors.
        public var parameterCount: Int
        /// Number of tensors of each type.
        public var tensorTypes: [GGMLType: Int]
        /// Bytes of tensor data of each type.
        public var tensorBytes: [GGMLType: Int]
        /// `<arch>.context_length` (nil if absent).
        public var contextLength: Int?
        /// `<arch>.block_count` (nil if absent).
        public var layerCount: Int?
        /// `<arch>.embedding_length` (nil if absent).
        public var embeddingLength: Int?
        /// Number of entries of `tokenizer.ggml.tokens` (or `<arch>.vocab_size`).
        public var vocabularySize: Int?
        /// `tokenizer.ggml.model`, e.g. `gpt2` (nil if absent).
        public var tokenizerModel: String?
        /// Whether `tokenizer.chat_template` is present.
        public var hasChatTemplate: Bool
        /// The file size in bytes.
        public var fileSize: Int
        /// Number of tensors.
        public var tensorCount: Int
    }

    /// A summary of the architecture, size, tensor types and tokenizer of this file.
    public var summary: Summary {
        let arch = metadata["general.architecture"]?.string
        func archInt(_ suffix: String) -> Int? { arch.flatMap { metadata["\($0).\(suffix)"]?.int } }
        var types = [GGMLType: Int]()
        var bytes = [GGMLType: Int]()
        for t in tensors {
            types[t.type, default: 0] += 1
            bytes[t.type, default: 0] += t.byteCount
        }
        let vocab = metadata["tokenizer.ggml.tokens"]?.array?.count ?? archInt("vocab_size")
        return Summary(
            architecture: arch, name: metadata["general.name"]?.string, version: version,
            parameterCount: tensors.reduce(0) { $0 + $1.elementCount },
            tensorTypes: types, tensorBytes: bytes,
            contextLength: archInt("context_length"), layerCount: archInt("block_count"),
            embeddingLength: archInt("embedding_length"), vocabularySize: vocab,
            tokenizerModel: metadata["tokenizer.ggml.model"]?.string,
            hasChatTemplate: metadata["tokenizer.chat_template"]?.string != nil,
            fileSize: fileSize, tensorCount: tensors.count)
    }
}
