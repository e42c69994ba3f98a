import AgentCore
import Foundation

/// Chooses which of a routing agent's agents answers a question: one short model call, constrained to
/// `{"agent": "<name>"}` with the names as an enumeration, so the choice always parses and always
/// names one of them.
///
/// The prompt (`Agents/prompts/route.prompts`, section `system`) lists each agent's name and one-line
/// description after the routing agent's own system prompt, then its worked examples (questions with
/// the agent each goes to), if it has any; the question is the user turn. The system
/// turn is the same for every question, so the prompt cache serves it and a routed question costs only
/// its own tokens and a few generated ones. The call is a model call of the run (purpose `route`) like
/// any other: it is traced and replayed, and the chosen agent is reported as an observation.
public struct AgentRouter: Sendable {
    /// The routing call's purpose in the trace.
    public static let purpose = "route"
    /// Token cap of the routing call (`{"agent": "research"}` is about eight tokens).
    static let maxTokens = 32

    /// Creates a router.
    public init() {}

    /// The JSON Schema of the routing call's output.
    public static func schema(names: [String]) -> JSONValue {
        ["type": "object", "properties": ["agent": ["type": "string", "enum": .array(names.map { .string($0) })]],
         "required": ["agent"], "additionalProperties": false]
    }

    /// The request that asks the model to choose among `agent.routes` for `question`.
    /// - Throws: `OrchestratorError.invalidConfiguration` when the agent has no routes or no route prompts.
    public static func request(question: String, agent: AgentDefinition) throws -> CompletionRequest {
        let routes = agent.routes ?? []
        guard !routes.isEmpty else {
            throw OrchestratorError.invalidConfiguration(reason: "the routing agent '\(agent.name)' lists no agents to route to")
        }
        guard let templates = agent.prompts?[AgentDefinition.Strategy.route.rawValue] else {
            throw OrchestratorError.invalidConfiguration(reason: "the agent has no route prompts (Agents/prompts/route.prompts)")
        }
        let listing = routes.map { "- \($0.name): \($0.description)" }.joined(separator: "\n")
        let system = templates.render("system", ["system_prompt": agent.systemPrompt, "agents": listing,
                                                 "examples": agent.examples?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""])
        var sampling = agent.sampling
        sampling.temperature = 0
        return CompletionRequest(messages: [.system(system), .user(question)], sampling: sampling, maxTokens: maxTokens,
                                 constraint: .jsonSchema(schema(names: routes.map(\.name))))
    }

    /// The route the model's output names; the first route when the output names none (a remote model
    /// that ignored the constraint, or a call cut short).
    public static func chosen(_ output: String, among routes: [AgentDefinition]) -> AgentDefinition? {
        let name = (try? JSONValue.parse(output))?["agent"]?.stringValue
        return routes.first { $0.name == name } ?? routes.first
    }

    /// Asks the model in `session` (the routing agent's) and returns the agent that answers.
    public func choose(_ session: RunSession) async throws -> AgentDefinition {
        let request = try Self.request(question: session.question, agent: session.agent)
        let completion = try await session.complete(purpose: Self.purpose, request)
        // `request` succeeded, so there is at least one route.
        let agent = Self.chosen(completion.text, among: session.agent.routes ?? [])!
        session.report(.observation("routed to the \(agent.name) agent"))
        return agent
    }
}
