import AgentCore
import Foundation
import Orchestrator

/// Command-line overrides of an agent definition for one `loom ask`.
public struct AskOverrides: Sendable {
    /// Sampling seed.
    public var seed: UInt64?
    /// Maximum tool calls.
    public var maxSteps: Int?
    /// Planner strategy (`plan-execute`, `react` or `checked-reasoning`).
    public var strategy: String?

    /// Creates overrides.
    public init(seed: UInt64? = nil, maxSteps: Int? = nil, strategy: String? = nil) {
        self.seed = seed
        self.maxSteps = maxSteps
        self.strategy = strategy
    }

    /// Loads the agent `nameOrPath` (see `AgentLoader.load`) with the overrides applied.
    /// - Throws: `AgentLoaderError` for the file, `AskError` for an override.
    public func agent(named nameOrPath: String) throws -> AgentDefinition {
        var definition = try AgentLoader.load(nameOrPath)
        try apply(to: &definition)
        return definition
    }

    /// Applies the overrides; an unknown strategy or a non-positive step count is an error. A routing
    /// agent passes them on to the agents it routes to (its own routing call takes only the seed).
    public func apply(to agent: inout AgentDefinition) throws {
        if agent.strategy == .route, var routes = agent.routes {
            if let seed { agent.sampling.seed = seed }
            for index in routes.indices { try apply(to: &routes[index]) }
            agent.routes = routes
            return
        }
        if let seed { agent.sampling.seed = seed }
        if let maxSteps {
            guard maxSteps > 0 else { throw AskError.invalidOption("--max-steps must be at least 1, got \(maxSteps)") }
            agent.limits.maxSteps = maxSteps
        }
        if let strategy {
            guard let value = AgentDefinition.Strategy(rawValue: strategy) else {
                throw AskError.invalidOption("--strategy must be \(AgentDefinition.Strategy.names), got '\(strategy)'")
            }
            guard value != .route else {
                throw AskError.invalidOption("--strategy route needs an agent that lists its routes (like default)")
            }
            agent.strategy = value
        }
    }
}

/// Errors in `loom ask`'s options.
public enum AskError: Error, CustomStringConvertible, Sendable {
    case invalidOption(String)

    public var description: String {
        switch self {
        case .invalidOption(let message): return message
        }
    }
}

/// How `loom ask` reports a finished run.
public enum AskReport {
    /// The answer for a terminal: control characters from the model or a page shown as escapes.
    public static func answer(_ result: QuestionRunner.Result) -> String {
        TerminalText.neutralized(result.outcome.answer)
    }

    /// The closing line on standard error: steps, model calls, tokens, time and the trace path.
    public static func footer(_ result: QuestionRunner.Result) -> String {
        let outcome = result.outcome
        var text = String(format: "(%d tool calls, %d model calls, %d tokens generated, %.1fs; trace: %@)",
                          outcome.toolCalls, outcome.modelCalls, outcome.generatedTokens, outcome.seconds,
                          result.tracePath)
        if let stop = outcome.stop { text = "stopped early: \(stop)\n" + text }
        return text
    }

    /// One JSON object: answer, counts, budget stop, what is missing, trace path.
    public static func json(_ result: QuestionRunner.Result) -> String {
        let outcome = result.outcome
        var object: [String: JSONValue] = [
            "answer": .string(outcome.answer),
            "tool_calls": .int(outcome.toolCalls),
            "model_calls": .int(outcome.modelCalls),
            "generated_tokens": .int(outcome.generatedTokens),
            "reused_prompt_tokens": .array(outcome.reusedPromptTokens.map { .int($0) }),
            "seconds": .double(outcome.seconds),
            "missing": .array(outcome.missing.map { .string($0) }),
            "observations": .array(result.observations.map { .string($0) }),
            "trace": .string(result.tracePath),
        ]
        object["stopped"] = outcome.stop.map { .string("\($0)") } ?? .null
        return JSONValue.object(object).prettyText
    }
}
