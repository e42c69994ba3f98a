import AgentCore
import Foundation
import GGUF
import LLM
import Tokenizers

/// `loom generate`: one completion from a GGUF model, either a raw prompt or a chat turn.
public struct TextGeneration: Sendable {
    /// Context length in tokens (nil: the model's trained length, at most `LocalModel.defaultContextCap`).
    public var contextLength: Int?
    /// Worker threads.
    public var threads: Int

    /// Creates a generation setting.
    public init(contextLength: Int? = nil, threads: Int = 2) {
        self.contextLength = contextLength
        self.threads = threads
    }

    /// What one run produced.
    public struct Result: Sendable {
        /// The model's name (from its file).
        public var model: String
        /// The context length the model ran with.
        public var contextLength: Int
        /// The completion: prompt text and ids, generated ids and text, timings, finish reason.
        public var completion: Completion

        /// Generated tokens per second of generation time (0 if none).
        public var tokensPerSecond: Double {
            completion.generateSeconds > 0 ? Double(completion.generatedTokens.count) / completion.generateSeconds : 0
        }
    }

    /// Generates from the model at `modelPath`. With `chat`, `prompt` becomes a user turn after the
    /// optional `system` prompt, under the model's chat template; otherwise it is raw text whose
    /// special-token text is parsed, as llama.cpp does with a user's own prompt. `onText` gets the
    /// text as it is generated.
    /// - Throws: the model's load errors and `LLMError`s from generation.
    ///   With `schema`, the output is one JSON value matching it; `jumpForward` appends the text the
    ///   schema leaves no choice about without sampling it.
    public func run(modelPath: String, prompt: String, chat: Bool, system: String?, sampling: SamplingSettings,
                    maxTokens: Int, schema: JSONValue? = nil, jumpForward: Bool = true,
                    onText: (@Sendable (String) -> Void)?) async throws -> Result {
        let known = KnownModels.all.first { $0.file == (modelPath as NSString).lastPathComponent }
        let caches = ModelCacheSettings()
        let local = try LocalModel(path: modelPath, contextLength: contextLength, threads: threads,
                                   promptCache: caches.promptCache(modelPath: modelPath, sha256: known?.sha256),
                                   panelCache: caches.panelCache(modelPath: modelPath, sha256: known?.sha256))
        local.jumpForward = jumpForward
        let completion: Completion
        if chat {
            let messages = (system.map { [Message.system($0)] } ?? []) + [.user(prompt)]
            completion = try await local.complete(CompletionRequest(messages: messages, sampling: sampling, maxTokens: maxTokens,
                                                                    constraint: schema.map { .jsonSchema($0) }),
                                                  onText: onText)
        } else {
            let raw = LocalModel.Prompt(text: prompt, tokens: local.tokenizer.encode(prompt, parseSpecial: true))
            completion = try local.generate(raw, sampling: sampling, maxTokens: maxTokens, constraint: schema.map(JSONSchema.init),
                                            onText: onText)
        }
        return Result(model: local.info.name, contextLength: local.info.contextLength, completion: completion)
    }
}

extension TextGeneration {
    /// A JSON Schema given on the command line: the schema itself, or `@FILE`.
    /// - Throws: `TextGenerationError` when the file cannot be read or the text is not a JSON object.
    public static func schema(_ argument: String) throws -> JSONValue {
        var text = argument
        if argument.hasPrefix("@") {
            let path = String(argument.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else { throw TextGenerationError.unreadable(path: path) }
            text = String(decoding: data, as: UTF8.self)
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), value.objectValue != nil else {
            throw TextGenerationError.notASchema
        }
        return value
    }
}

/// Errors of `loom generate`'s arguments.
public enum TextGenerationError: Error, CustomStringConvertible, Sendable {
    /// The schema file could not be read.
    case unreadable(path: String)
    /// The schema is not a JSON object.
    case notASchema

    public var description: String {
        switch self {
        case .unreadable(let path): return "cannot read \(path)"
        case .notASchema: return "not a JSON Schema (a JSON object)"
        }
    }
}

/// `loom tokenize`: a text's token ids under a model's tokenizer.
public struct Tokenization: Sendable, Equatable {
    /// The token ids.
    public var ids: [Int]
    /// The text of each token.
    public var pieces: [String]

    /// Tokenizes `text` with the tokenizer of the model at `modelPath`; `special` turns control-token
    /// text such as `<|im_start|>` into its token.
    /// - Throws: `GGUFError` if the file cannot be read, the tokenizer's errors if it has no usable vocabulary.
    public init(modelPath: String, text: String, special: Bool) throws {
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: modelPath))
        ids = tokenizer.encode(text, parseSpecial: special)
        pieces = ids.map { tokenizer.decode([$0]) }
    }
}
