import AgentCore
import AgentRuntime
import Foundation
import Orchestrator

/// `"model": "loom-agent/NAME"`: the whole agent — plan, sandboxed tools, answer — as a model. The
/// question is the conversation's last user message; the answer is the assistant message; the steps
/// stream as `reasoning_content` deltas while they happen and the answer as content deltas while the model
/// writes it; the response names the trace it wrote.
struct AgentAsModel: Sendable {
    /// The model-name prefix that selects an agent.
    static let prefix = "loom-agent/"

    /// The served models; an agent whose model is one of them shares it (and its line of requests),
    /// and an agent that names no model of its own uses the first of them.
    let models: [ServedModel]
    /// Threads of the forward pass, for a model the agent loads itself.
    let threads: Int
    /// Context length of a model the agent loads itself (nil: its default).
    var contextLength: Int? = nil

    /// Runs the agent named in `request.model`; the steps go to `onStep` and the answer's text, as the
    /// model writes it, to `onAnswer`, which by the end has had the whole answer (a note the planner adds
    /// after it, or all of it when nothing was streamed, comes last).
    /// - Throws: `OpenAIError` for an unknown agent (404) or a conversation without a user message (400);
    ///   the run's own errors otherwise.
    func run(_ request: ChatRequest, onStep: (@Sendable (String) -> Void)?,
             onAnswer: (@Sendable (String) -> Void)? = nil) async throws -> ChatGeneration.Outcome {
        let name = String(request.model.dropFirst(Self.prefix.count))
        let agent: AgentDefinition
        do { agent = try AgentLoader.load(name) } catch {
            throw OpenAIError(status: .notFound, type: "invalid_request_error", code: "model_not_found", param: "model",
                              message: "\(error)")
        }
        guard let question = request.messages.last(where: { $0.role == .user })?.content, !question.isEmpty else {
            throw OpenAIError.invalid("an agent answers the last user message, and there is none", param: "messages")
        }
        let standard = LiveComponents.standard(threads: threads, contextLength: contextLength)
        let models = self.models
        let components = LiveComponents(
            model: { wanted, apiKeyVariable in
                let id = wanted ?? KnownModels.defaultName
                if let served = models.first(where: { $0.id == id || $0.model.info.name == id }) {
                    return QueuedModel(served: served)
                }
                return try await standard.model(wanted, apiKeyVariable)
            },
            tools: standard.tools, pluginVersions: standard.pluginVersions)
        let tokens = TokenCount()
        let printer = AskProgressPrinter(write: { text in onStep?(text) })
        let answer = AnswerText()
        let result = try await QuestionRunner(components: components).run(
            question: question, agent: agent, modelName: agent.model == nil ? models.first?.id : nil,
            runSeed: agent.sampling.seed,
            tracePath: QuestionRunner.defaultTracePath(agent: agent.name),
            progress: { event in
                if case .modelCall(_, let completion) = event { tokens.add(completion) }
                if case .answerText(let piece) = event, let onAnswer {
                    let text = answer.feed(piece)
                    if !text.isEmpty { onAnswer(text) }
                }
                printer.handle(event)
            })
        if let onAnswer {
            let sent = answer.sent
            if sent.isEmpty {
                onAnswer(result.outcome.answer)
            } else if result.outcome.answer.hasPrefix(sent), result.outcome.answer.count > sent.count {
                onAnswer(String(result.outcome.answer.dropFirst(sent.count)))
            }
        }
        return ChatGeneration.Outcome(content: result.outcome.answer, toolCalls: [], finishReason: "stop",
                                      promptTokens: tokens.prompt, cachedTokens: tokens.cached,
                                      completionTokens: tokens.generated, trace: result.tracePath)
    }

    /// The answer's text read out of the streamed answer calls, from any thread.
    private final class AnswerText: @unchecked Sendable {
        private let lock = NSLock()
        private var stream = AnswerStream()
        private var text = ""

        /// Feeds a piece of an answer call's output; returns the answer text it adds.
        func feed(_ piece: String) -> String {
            lock.withLock {
                let added = stream.feed(piece)
                text += added
                return added
            }
        }

        /// The answer text fed so far.
        var sent: String { lock.withLock { text } }
    }

    /// Token counts over a run's model calls, from any thread.
    private final class TokenCount: @unchecked Sendable {
        private let lock = NSLock()
        private var counts = (prompt: 0, cached: 0, generated: 0)

        func add(_ completion: Completion) {
            lock.withLock {
                counts.prompt += completion.promptTokens.count
                counts.cached += completion.reusedPromptTokens
                counts.generated += completion.generatedTokens.count
            }
        }

        var prompt: Int { lock.withLock { counts.prompt } }
        var cached: Int { lock.withLock { counts.cached } }
        var generated: Int { lock.withLock { counts.generated } }
    }
}

/// A served model used by an agent run: each call waits its turn in the model's line, as a
/// client's request does (but is never turned away: the run has already been admitted).
struct QueuedModel: LanguageModel {
    let served: ServedModel

    var info: ModelInfo { served.model.info }

    func complete(_ request: CompletionRequest, onText: (@Sendable (String) -> Void)?) async throws -> Completion {
        let ticket = await served.queue.admitAlways()
        return try await served.queue.withTurn(ticket) { try await served.model.complete(request, onText: onText) }
    }
}
