import AgentCore
import Foundation
import LLM
import Orchestrator

/// Computes an agent's fixed prompt prefix — its system prompt, tool list and worked examples —
/// and saves its keys and values in the prompt cache, so that the agent's first question in any
/// later process starts with only the question's own tokens to compute (`loom agents warm`).
///
/// The prefix is taken from the agent's real first request: the orchestrator runs with the agent's
/// registered tools and a model that warms the cache with the request it receives and then ends the
/// run, so the cached tokens are exactly those a question will start with.
public struct AgentWarmup: Sendable {
    /// What warming one agent did.
    public struct Result: Sendable, Hashable {
        /// The agent's name.
        public var agent: String
        /// Tokens of the cached prefix (0 when the agent's prompt has none to cache).
        public var tokens: Int
        /// Whether the prefix was on disk already (it was then loaded, which checks it).
        public var alreadyCached: Bool
        /// Seconds the prefix took: loading it from disk, or computing and saving it (not counting
        /// loading the model and starting the plugins).
        public var seconds: Double
    }

    /// Ends the run once the first request has been seen.
    struct Done: Error {}

    /// Hands the first request to `LocalModel.warm` and stops the run.
    final class WarmingModel: LanguageModel, @unchecked Sendable {
        let local: LocalModel
        var outcome: (tokens: Int, alreadyCached: Bool)?
        var seconds = 0.0
        var info: ModelInfo { local.info }

        init(local: LocalModel) { self.local = local }

        func complete(_ request: CompletionRequest, onText: (@Sendable (String) -> Void)?) async throws -> Completion {
            let started = Date()
            outcome = try local.warm(request) ?? (0, false)
            seconds = Date().timeIntervalSince(started)
            throw Done()
        }
    }

    let components: LiveComponents

    /// Creates a warm-up over live components (the model must be a local one).
    public init(components: LiveComponents) { self.components = components }

    /// Warms `agent`'s prefix and, for a routing agent, the prefix of each agent it routes to (the
    /// routing call's prefix first): the results in that order.
    public func warmWithRoutes(_ agent: AgentDefinition, modelName: String? = nil) async throws -> [Result] {
        var results = [try await warm(agent, modelName: modelName)]
        for route in agent.routes ?? [] { results.append(try await warm(route, modelName: modelName)) }
        return results
    }

    /// Warms `agent`'s prefix for `modelName` (default: the agent's model).
    /// - Throws: the model's or the plugins' errors; `AgentRunError.notWired` for a model that is not local.
    public func warm(_ agent: AgentDefinition, modelName: String? = nil) async throws -> Result {
        guard let local = try await components.model(modelName ?? agent.model, agent.modelAPIKeyEnv) as? LocalModel else {
            throw AgentRunError.notWired(what: "a prompt cache for a model that does not run in this process")
        }
        let model = WarmingModel(local: local)
        let tools = try await components.tools(agent.plugins)
        let orchestrator = Orchestrator(model: model, tools: tools,
                                        configuration: RunConfiguration(agent: agent, runSeed: agent.sampling.seed))
        do {
            _ = try await orchestrator.run(question: "?")
        } catch is Done {}
        let outcome = model.outcome ?? (0, false)
        return Result(agent: agent.name, tokens: outcome.tokens, alreadyCached: outcome.alreadyCached, seconds: model.seconds)
    }
}
