/// Sampling settings for one model call. With the same seed and settings a local model is reproducible.
public struct SamplingSettings: Codable, Hashable, Sendable {
    /// 0 means greedy (argmax).
    public var temperature: Double
    /// Keep the k most likely tokens (0 = off).
    public var topK: Int
    /// Nucleus sampling mass (1 = off).
    public var topP: Double
    /// Drop tokens below `minP` × the top probability (0 = off).
    public var minP: Double
    /// Penalty on recently generated tokens (1 = off).
    public var repetitionPenalty: Double
    /// How many recent tokens the penalty looks at.
    public var repetitionWindow: Int
    /// Seed of the sampler's random generator.
    public var seed: UInt64

    /// Creates settings; the defaults are greedy decoding.
    public init(temperature: Double = 0, topK: Int = 0, topP: Double = 1, minP: Double = 0,
                repetitionPenalty: Double = 1, repetitionWindow: Int = 64, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.repetitionWindow = repetitionWindow
        self.seed = seed
    }

    /// Greedy decoding.
    public static let greedy = SamplingSettings()
}

/// A restriction on what the model may generate in one call.
public enum OutputConstraint: Codable, Hashable, Sendable {
    /// The output must be one JSON value matching this JSON Schema.
    case jsonSchema(JSONValue)
}

/// One request to a language model.
public struct CompletionRequest: Codable, Hashable, Sendable {
    /// The conversation; the model applies its own chat template.
    public var messages: [Message]
    /// Tools listed to the model in its chat template's tool format (may be empty).
    public var tools: [ToolSpec]
    /// Sampling settings.
    public var sampling: SamplingSettings
    /// Upper bound on generated tokens.
    public var maxTokens: Int
    /// Optional constraint on the output.
    public var constraint: OutputConstraint?
    /// Text that, once generated, ends the call (not included in the output).
    public var stop: [String]
    /// Text the assistant turn starts with (already "said"; generation continues after it).
    public var prefill: String

    /// Creates a request.
    public init(messages: [Message], tools: [ToolSpec] = [], sampling: SamplingSettings = .greedy,
                maxTokens: Int = 512, constraint: OutputConstraint? = nil, stop: [String] = [], prefill: String = "") {
        self.messages = messages
        self.tools = tools
        self.sampling = sampling
        self.maxTokens = maxTokens
        self.constraint = constraint
        self.stop = stop
        self.prefill = prefill
    }
}

/// What a model call produced, with enough detail to replay and audit it.
public struct Completion: Codable, Hashable, Sendable {
    /// Why generation stopped.
    ///
    /// `closedAtLimit`: the token budget was about to run out inside a constrained value, so the shortest
    /// text that completes it (closing an unfinished string, say) was appended: the output still parses.
    /// `promptTooLong`: the prompt leaves no room to generate in the model's context; nothing was
    /// generated, and the caller must shorten the prompt or stop.
    public enum FinishReason: String, Codable, Sendable {
        case endOfTurn, stopString, maxTokens, constraintComplete, closedAtLimit, promptTooLong
    }

    /// The generated text (after `prefill`).
    public var text: String
    /// The exact prompt text the model saw, after the chat template.
    public var prompt: String
    /// Token ids of the prompt.
    public var promptTokens: [Int]
    /// Token ids generated.
    public var generatedTokens: [Int]
    /// Prompt tokens served from the KV cache (not recomputed).
    public var reusedPromptTokens: Int
    /// Why generation stopped.
    public var finishReason: FinishReason
    /// Seconds spent on the prompt.
    public var promptSeconds: Double
    /// Seconds spent generating.
    public var generateSeconds: Double
    /// Of the reused prompt tokens, those whose keys and values were loaded from the prompt cache on
    /// disk (nil: the model has no such cache).
    public var diskCachedPromptTokens: Int?
    /// Generated tokens that the output constraint forced (appended without sampling; nil: none).
    public var forcedTokens: Int?
    /// Of `generateSeconds`, the time spent deciding which tokens the constraint allows (nil: unconstrained).
    public var maskSeconds: Double?

    /// Creates a completion.
    public init(text: String, prompt: String = "", promptTokens: [Int] = [], generatedTokens: [Int] = [],
                reusedPromptTokens: Int = 0, finishReason: FinishReason = .endOfTurn,
                promptSeconds: Double = 0, generateSeconds: Double = 0, diskCachedPromptTokens: Int? = nil,
                forcedTokens: Int? = nil, maskSeconds: Double? = nil) {
        self.text = text
        self.prompt = prompt
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.reusedPromptTokens = reusedPromptTokens
        self.finishReason = finishReason
        self.promptSeconds = promptSeconds
        self.generateSeconds = generateSeconds
        self.diskCachedPromptTokens = diskCachedPromptTokens
        self.forcedTokens = forcedTokens
        self.maskSeconds = maskSeconds
    }
}

extension Completion {
    /// Where the call's time went, in one line: prompt tokens from the disk cache, reused in memory
    /// and computed, with the prefill time; generated tokens forced by the constraint and sampled,
    /// with the generation time and the part of it spent deciding what the constraint allows.
    public var costSummary: String {
        let disk = diskCachedPromptTokens ?? 0
        let computed = promptTokens.count - reusedPromptTokens
        let forced = forcedTokens ?? 0
        var text = "\(promptTokens.count) prompt tokens (\(disk) from disk, \(reusedPromptTokens - disk) reused, "
            + "\(computed) computed) in \(Self.seconds(promptSeconds)); \(generatedTokens.count) generated "
            + "(\(forced) forced, \(generatedTokens.count - forced) sampled) in \(Self.seconds(generateSeconds))"
        if let maskSeconds { text += ", constraint \(Self.seconds(maskSeconds))" }
        return text
    }

    private static func seconds(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) s"
    }
}

/// Identifies a model for traces: name, file hash and architecture.
public struct ModelInfo: Codable, Hashable, Sendable {
    /// Short name (registry name or file name).
    public var name: String
    /// sha256 of the weights file, when known.
    public var sha256: String?
    /// Context window in tokens.
    public var contextLength: Int

    /// Creates model info.
    public init(name: String, sha256: String? = nil, contextLength: Int) {
        self.name = name
        self.sha256 = sha256
        self.contextLength = contextLength
    }
}

/// A language model the orchestrator can prompt: local (GGUF), remote, scripted or replayed.
public protocol LanguageModel: Sendable {
    /// Describes the model for traces.
    var info: ModelInfo { get }
    /// Runs one completion. `onText` receives generated text as it streams.
    func complete(_ request: CompletionRequest, onText: (@Sendable (String) -> Void)?) async throws -> Completion
}

/// Runs tool calls. Implementations never throw for a failing tool: failures come back as `ToolResult.isError`.
public protocol ToolExecutor: Sendable {
    /// The tools available to the run.
    func tools() async throws -> [ToolSpec]
    /// Runs one call.
    func call(_ call: ToolCall) async -> ToolResult
}
