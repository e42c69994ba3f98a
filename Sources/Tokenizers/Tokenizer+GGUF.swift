import GGUF

extension Tokenizer {
    /// Loads the tokenizer stored in a GGUF file's metadata.
    /// - Throws: `TokenizerError` when a key is missing, mistyped or unsupported.
    public convenience init(gguf: GGUFFile) throws {
        try self.init(metadata: gguf.metadata)
    }

    /// Loads the tokenizer from GGUF metadata (`tokenizer.ggml.*`, `tokenizer.chat_template`).
    /// - Throws: `TokenizerError` when a key is missing, mistyped or unsupported.
    public convenience init(metadata: [String: GGUFValue]) throws {
        guard let modelValue = metadata[GGUFKeys.model] else { throw TokenizerError.missingKey(GGUFKeys.model) }
        guard let model = modelValue.string else {
            throw TokenizerError.invalidValue(key: GGUFKeys.model, reason: "not a string")
        }
        guard model == "gpt2" else { throw TokenizerError.unsupportedModel(model) }

        guard let preValue = metadata[GGUFKeys.pre] else { throw TokenizerError.unsupportedPreTokenizer("(none)") }
        guard let preName = preValue.string else {
            throw TokenizerError.invalidValue(key: GGUFKeys.pre, reason: "not a string")
        }
        guard let pre = PreTokenizer.Kind(rawValue: preName) else {
            throw TokenizerError.unsupportedPreTokenizer(preName)
        }

        let tokens = try Self.strings(metadata, GGUFKeys.tokens)
        let merges = try Self.strings(metadata, GGUFKeys.merges)
        var types = [TokenType](repeating: .normal, count: tokens.count)
        if let typeValue = metadata[GGUFKeys.tokenTypes] {
            guard let raw = typeValue.intArray else {
                throw TokenizerError.invalidValue(key: GGUFKeys.tokenTypes, reason: "not an array of integers")
            }
            guard raw.count >= tokens.count else {
                throw TokenizerError.invalidValue(key: GGUFKeys.tokenTypes,
                                                  reason: "\(raw.count) types for \(tokens.count) tokens")
            }
            for i in 0..<tokens.count { types[i] = TokenType(rawValue: raw[i]) ?? .undefined }
        }

        let template: String?
        if let value = metadata[GGUFKeys.chatTemplate] {
            guard let text = value.string else {
                throw TokenizerError.invalidValue(key: GGUFKeys.chatTemplate, reason: "not a string")
            }
            template = text
        } else {
            template = nil
        }
        try self.init(tokens: tokens, types: types, merges: merges, preTokenizer: pre,
                      bosToken: try Self.id(metadata, GGUFKeys.bosID), eosToken: try Self.id(metadata, GGUFKeys.eosID),
                      chatTemplate: template)
    }

    private static func strings(_ metadata: [String: GGUFValue], _ key: String) throws -> [String] {
        guard let value = metadata[key] else { throw TokenizerError.missingKey(key) }
        guard let strings = value.stringArray else {
            throw TokenizerError.invalidValue(key: key, reason: "not an array of strings")
        }
        return strings
    }

    private static func id(_ metadata: [String: GGUFValue], _ key: String) throws -> Int? {
        guard let value = metadata[key] else { return nil }
        guard let id = value.int else { throw TokenizerError.invalidValue(key: key, reason: "not an integer") }
        return id
    }
}
