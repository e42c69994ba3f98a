import AgentCore
import Foundation
import Orchestrator
import OrchestratorTestSupport
import TestSupport
import Traces
import XCTest

/// Records scripted runs to real trace files and replays them.
enum Recording {
    static let evaluate = ToolSpec(plugin: "calc", name: "evaluate", description: "Evaluate an expression exactly.",
                                   inputSchema: ["type": "object", "properties": ["expression": ["type": "string"]],
                                                 "required": ["expression"]])

    static func agent(_ strategy: AgentDefinition.Strategy = .planExecute, prompt: String = "You are a careful assistant.",
                      maxSteps: Int = 8) -> AgentDefinition {
        AgentDefinition(name: "math", description: "math", systemPrompt: prompt, strategy: strategy, plugins: ["calc"],
                        limits: .init(maxSteps: maxSteps), prompts: prompts)
    }

    /// The strategies' prompts as the repository ships them (`Agents/prompts/`).
    static let prompts: [String: PromptTemplates] = Dictionary(uniqueKeysWithValues: [AgentDefinition.Strategy.planExecute, .react].map { strategy in
        let file = Repository.root.appendingPathComponent("Agents/prompts/\(strategy.rawValue).prompts")
        // swiftlint:disable:next force_try
        return (strategy.rawValue, try! PromptTemplates.load(file: file, required: Orchestrator.promptSections(for: strategy)))
    })

    /// Evaluates `a op b` of integers, or an integer; anything else fails.
    static let calc: ScriptedToolExecutor.Handler = { call in
        let expression = (call.arguments["expression"]?.stringValue ?? "").trimmingCharacters(in: .whitespaces)
        if let n = Int(expression) { return (String(n), false) }
        for op in ["+", "*", "-"] {
            let parts = expression.components(separatedBy: op).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) {
                return (String(op == "+" ? a + b : op == "*" ? a * b : a - b), false)
            }
        }
        return ("error: cannot evaluate '\(expression)'", true)
    }

    /// The model replies of a two-round plan run: a plan with a failing step, a re-plan, a continuation
    /// that says nothing remains, an answer.
    static let planReplies: [String] = [
        #"{"steps":[{"id":"s1","tool":"evaluate","arguments":{"expression":"6 * 7"},"depends_on":[]},"#
            + #"{"id":"s2","tool":"evaluate","arguments":{"expression":"x"},"depends_on":[]},"#
            + #"{"id":"s3","tool":"evaluate","arguments":{"expression":"{{s1}} + 8"},"depends_on":["s1"]}]}"#,
        #"{"steps":[{"id":"s4","tool":"evaluate","arguments":{"expression":"{{s3}} * 2"},"depends_on":["s3"]}]}"#,
        #"{"remaining":"nothing","steps":[]}"#,
        "The answer is 100.",
    ]

    /// One directory for the whole test process, emptied when the process first uses it, so runs do
    /// not pile up directories in the temporary directory.
    static let scratch: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-traces-tests")
        try? FileManager.default.removeItem(at: dir)
        return dir
    }()

    static func temporaryPath(_ name: String) -> String {
        scratch.appendingPathComponent(UUID().uuidString).appendingPathComponent(name).path
    }

    static func header(question: String, agent: AgentDefinition, tools: [ToolSpec], parent: String? = nil) -> Trace.Header {
        Trace.Header(loomVersion: "0.1.0", question: question, agent: agent,
                     model: ModelInfo(name: "scripted", sha256: "00", contextLength: 4096), tools: tools,
                     startedAt: "2026-01-01T00:00:00Z", parent: parent, runSeed: 11,
                     plugins: [Trace.PluginInfo(name: "calc", version: "0.1.0")])
    }

    /// Runs a scripted question and records it to a new trace file; returns the file's path.
    static func record(replies: [String], strategy: AgentDefinition.Strategy = .planExecute,
                       question: String = "What is (6*7+8)*2?", handler: @escaping ScriptedToolExecutor.Handler = calc) async throws -> String {
        let path = temporaryPath("run.jsonl")
        let sink = try FileTraceSink(path: path)
        let agent = agent(strategy)
        await sink.record(.header(header(question: question, agent: agent, tools: [evaluate])))
        let model = ScriptedModel(replies)
        let tools = ScriptedToolExecutor(tools: [evaluate], handler: handler)
        _ = try await Orchestrator(model: model, tools: tools, configuration: RunConfiguration(agent: agent, runSeed: 11), sink: sink)
            .run(question: question)
        await sink.close()
        return path
    }

    /// Records a ReAct run with a step budget.
    static func recordReAct(replies: [String], maxSteps: Int) async throws -> String {
        let path = temporaryPath("react.jsonl")
        let sink = try FileTraceSink(path: path)
        let agent = agent(.react, maxSteps: maxSteps)
        let question = "Multiply each of 1…10 by 1000."
        await sink.record(.header(header(question: question, agent: agent, tools: [evaluate])))
        _ = try await Orchestrator(model: ScriptedModel(replies), tools: ScriptedToolExecutor(tools: [evaluate], handler: calc),
                                   configuration: RunConfiguration(agent: agent, runSeed: 11), sink: sink).run(question: question)
        await sink.close()
        return path
    }

    /// The replay closure AgentRuntime uses: the recorded agent, question and run seed (agent overridable).
    static func rerun(_ trace: TraceFile, agent: AgentDefinition? = nil) -> Replayer.Run {
        let header = trace.header
        return { model, tools, sink in
            var recorded = agent ?? header.agent
            if recorded.prompts == nil { recorded.prompts = prompts }  // written before prompts were recorded
            let configuration = RunConfiguration(agent: recorded, runSeed: header.runSeed ?? 0)
            _ = try await Orchestrator(model: model, tools: tools, configuration: configuration, sink: sink)
                .run(question: header.question)
        }
    }

    /// Rewrites one line of a trace file (1-based) with `edit` applied to its JSON.
    static func edit(_ path: String, line: Int, _ edit: (inout JSONValue) -> Void) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        var value = try JSONValue.parse(lines[line - 1])
        edit(&value)
        lines[line - 1] = value.compactText
        let out = temporaryPath("edited.jsonl")
        try FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try lines.joined(separator: "\n").write(toFile: out, atomically: true, encoding: .utf8)
        return out
    }

    static func write(_ text: String) throws -> String {
        let out = temporaryPath("t.jsonl")
        try FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: out))
        return out
    }
}

extension JSONValue {
    /// Sets a value at a path of object keys and array indices.
    mutating func set(_ path: [Any], to newValue: JSONValue) {
        guard let head = path.first else { self = newValue; return }
        let rest = Array(path.dropFirst())
        switch (self, head) {
        case (.object(var members), let key as String):
            var child = members[key] ?? .null
            child.set(rest, to: newValue)
            members[key] = child
            self = .object(members)
        case (.array(var items), let index as Int) where index < items.count:
            items[index].set(rest, to: newValue)
            self = .array(items)
        default: break
        }
    }
}
