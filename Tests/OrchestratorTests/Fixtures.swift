import AgentCore
import Foundation
import TestSupport
@testable import Orchestrator
import OrchestratorTestSupport

/// Tools, agents and helpers shared by the orchestrator tests.
enum Fixtures {
    static let evaluate = ToolSpec(plugin: "calc", name: "evaluate", description: "Evaluate an expression exactly.",
                                   inputSchema: ["type": "object", "properties": ["expression": ["type": "string"]],
                                                 "required": ["expression"]])
    static let fetch = ToolSpec(plugin: "web-fetch", name: "fetch", description: "Fetch a web page as text.",
                                inputSchema: ["type": "object", "properties": ["url": ["type": "string"],
                                                                               "max_chars": ["type": "integer"]],
                                              "required": ["url"]])
    static let deleteFiles = ToolSpec(plugin: "fs", name: "delete_files", description: "Delete files.",
                                      inputSchema: ["type": "object", "properties": ["path": ["type": "string"]]])

    static func agent(_ strategy: AgentDefinition.Strategy = .planExecute, plugins: [String] = ["calc", "web-fetch"],
                      limits: AgentDefinition.Limits = .init()) -> AgentDefinition {
        AgentDefinition(name: "test", description: "test agent", systemPrompt: "You are a careful assistant.",
                        strategy: strategy, plugins: plugins, limits: limits, prompts: prompts)
    }

    /// The strategies' prompts as the repository ships them (`Agents/prompts/`).
    static let prompts: [String: PromptTemplates] = Dictionary(uniqueKeysWithValues: AgentDefinition.Strategy.allCases.map { strategy in
        let file = Repository.root.appendingPathComponent("Agents/prompts/\(strategy.rawValue).prompts")
        // swiftlint:disable:next force_try
        return (strategy.rawValue, try! PromptTemplates.load(file: file, required: Orchestrator.promptSections(for: strategy)))
    })

    static func orchestrator(model: any LanguageModel, tools: any ToolExecutor, agent: AgentDefinition,
                             clock: any RunClock = SystemClock(), sink: (any TraceSink)? = nil,
                             progress: ProgressLog? = nil, resultLimit: Int? = nil) -> Orchestrator {
        var callback: (@Sendable (ProgressEvent) -> Void)?
        if let progress { callback = { @Sendable event in progress.append(event) } }
        return Orchestrator(model: model, tools: tools,
                            configuration: RunConfiguration(agent: agent, runSeed: 7, resultCharacterLimit: resultLimit),
                            clock: clock, sink: sink, progress: callback)
    }

    /// A calc double: evaluates an integer, `a + b`, `a * b`, `a - b` of integers; anything else is an error.
    static let calc: ScriptedToolExecutor.Handler = { call in
        let expression = call.arguments["expression"]?.stringValue ?? ""
        if let number = Int(expression.trimmingCharacters(in: .whitespaces)) { return (String(number), false) }
        for op in ["+", "*", "-"] {
            let parts = expression.components(separatedBy: op).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) {
                return (String(op == "+" ? a + b : op == "*" ? a * b : a - b), false)
            }
        }
        return ("error: cannot evaluate '\(expression)'", true)
    }

    /// The plan part of a request's constraint: the schema itself, or the plan branch of a follow-up that
    /// may also answer (`anyOf` a plan and an answer); nil when the request is not constrained.
    static func planSchema(_ request: CompletionRequest) -> JSONValue? {
        guard case .jsonSchema(let schema) = request.constraint else { return nil }
        if let branches = schema["anyOf"]?.arrayValue, let plan = branches.first, plan["properties"]?["steps"] != nil { return plan }
        return schema
    }

    /// The answer branch of a follow-up that may answer, if the request offers one.
    static func answerBranch(_ request: CompletionRequest) -> JSONValue? {
        guard case .jsonSchema(let schema) = request.constraint, let branches = schema["anyOf"]?.arrayValue,
              branches.count == 2, branches[0]["properties"]?["steps"] != nil else { return nil }
        return branches[1]
    }

    static func plan(_ steps: [(String, String, JSONValue, [String])]) -> String {
        Plan(steps: steps.map { Plan.Step(id: $0.0, tool: $0.1, arguments: $0.2, dependsOn: $0.3) }).json.compactText
    }

    static func call(_ name: String, _ arguments: JSONValue) -> String {
        JSONValue.object(["name": .string(name), "arguments": arguments]).compactText
    }
}

/// Collects progress events from any thread.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ProgressEvent] = []

    func append(_ event: ProgressEvent) { lock.lock(); items.append(event); lock.unlock() }
    var events: [ProgressEvent] { lock.lock(); defer { lock.unlock() }; return items }
    var observations: [String] { events.compactMap { if case .observation(let o) = $0 { return o } else { return nil } } }
}

/// A clock the test moves by hand.
final class ManualClock: RunClock, @unchecked Sendable {
    private let lock = NSLock()
    private var time = 0.0
    func now() -> Double { lock.lock(); defer { lock.unlock() }; return time }
    func advance(_ seconds: Double) { lock.lock(); time += seconds; lock.unlock() }
}
