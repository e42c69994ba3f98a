import AgentCore
import Foundation
import Orchestrator

/// Asks a routing agent (strategy `route`) where it would send questions, without answering them
/// (`loom agents route`): the same model call `loom ask` makes first, so its choices can be checked
/// against a set of questions whose suitable agent is known.
public struct AgentRouting: Sendable {
    /// Where one question goes.
    public struct Choice: Codable, Sendable, Hashable {
        /// The question.
        public var question: String
        /// The chosen agent's name.
        public var agent: String
        /// Seconds of the routing call.
        public var seconds: Double

        /// The choice as one line of JSON with sorted keys.
        public func jsonLine() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }

    let components: LiveComponents

    /// Creates a router over live components.
    public init(components: LiveComponents) { self.components = components }

    /// The agent `agent` chooses for each question, in order.
    /// - Throws: `OrchestratorError.invalidConfiguration` for an agent that does not route; the model's errors.
    public func route(_ questions: [String], agent: AgentDefinition, modelName: String? = nil) async throws -> [Choice] {
        guard agent.strategy == .route else {
            throw OrchestratorError.invalidConfiguration(reason: "the agent '\(agent.name)' does not route (its strategy is \(agent.strategy.rawValue))")
        }
        let model = try await components.model(modelName ?? agent.model, agent.modelAPIKeyEnv)
        var choices: [Choice] = []
        for question in questions {
            let started = Date()
            let completion = try await model.complete(try AgentRouter.request(question: question, agent: agent), onText: nil)
            let chosen = AgentRouter.chosen(completion.text, among: agent.routes ?? [])?.name ?? ""
            choices.append(Choice(question: question, agent: chosen, seconds: Date().timeIntervalSince(started)))
        }
        return choices
    }
}
