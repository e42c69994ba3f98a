import AgentCore
import Foundation

/// ReAct: one tool call per model turn in Qwen's format (`<tool_call>{"name":…,"arguments":…}</tool_call>`),
/// generated under a JSON-Schema constraint after a `<tool_call>` prefill; the answer is a call of the
/// reserved `final_answer` tool. Each result is appended as a fenced `tool` turn before the next call.
public struct ReActPlanner: Planner {
    /// The reserved pseudo-tool that carries the final answer.
    public static let finalAnswerName = "final_answer"
    /// Invalid outputs in a row that end the run.
    static let mistakeLimit = 3

    /// Creates the planner.
    public init() {}

    /// The pseudo-tool offered next to the real ones.
    static let finalAnswerTool = ToolSpec(
        plugin: "loom", name: finalAnswerName, description: "Give the final answer to the user.",
        inputSchema: ["type": "object", "properties": ["answer": ["type": "string"]], "required": ["answer"]])

    public func run(_ session: RunSession) async throws -> PlannerResult {
        guard let templates = session.agent.prompts?[AgentDefinition.Strategy.react.rawValue] else {
            throw OrchestratorError.invalidConfiguration(reason: "the agent has no react prompts (Agents/prompts/react.prompts)")
        }
        let system = templates.render("system", ["system_prompt": session.agent.systemPrompt,
                                                 "final_answer": Self.finalAnswerName, "fence_policy": session.fence.policy])
        var messages: [Message] = [.system(system), .user(session.question)]
        let offered = session.catalog.tools + [Self.finalAnswerTool]
        var stop: BudgetStop?
        var mistakes = 0
        var repeats = 0
        var calls = 0
        var results: [(String, ToolResult)] = []
        let computeTools = session.catalog.restricted(to: session.agent.computeTools ?? []).tools

        while true {
            if let spent = session.budget.exhausted() { stop = spent; break }
            // With compute tools, the answer must rest on a successful run of one: until there is one,
            // and after a failed one, the answer is not offered (Self-Debug: read the error, fix, rerun).
            // Every tool stays callable: a page may have to be fetched before there is anything to compute.
            let lastCompute = results.last { result in computeTools.contains { $0.name == result.1.tool } }
            let mustCompute = !computeTools.isEmpty && session.budget.remainingSteps > 0
                && (lastCompute.map { $0.1.failed } ?? true)
            let allowed = mustCompute ? session.catalog.tools : nil
            var completion = try await session.complete(purpose: "react", turn(messages, tools: offered, allowed: allowed, session: session))
            // A conversation that outgrew the context: the oldest results are shortened, one at a time.
            while completion.finishReason == .promptTooLong, Self.shortenOldestResult(&messages, results: results, session: session) {
                session.report(.observation("the conversation outgrew the context; an earlier result was shortened"))
                completion = try await session.complete(purpose: "react", turn(messages, tools: offered, allowed: allowed, session: session))
            }
            if completion.finishReason == .promptTooLong { stop = .context(tokens: completion.promptTokens.count); break }
            let raw = completion.text
            switch ReActOutput.parse(raw) {
            case .answer(let text):
                return PlannerResult(answer: text)
            case .mistake(let problem):
                mistakes += 1
                session.report(.observation(problem))
                messages.append(.assistant("<tool_call>\n\(raw)\n</tool_call>"))
                messages.append(.user("That tool call was not valid: \(problem). Reply with one valid tool call."))
                if mistakes >= Self.mistakeLimit { stop = .modelMistakes(count: mistakes) }
            case .call(let name, let arguments):
                guard let spec = session.catalog.tool(named: name) else {
                    mistakes += 1
                    let problem = "unknown tool '\(name)'; available: \(offered.map(\.name).joined(separator: ", "))"
                    session.report(.observation(problem))
                    messages.append(.assistant("<tool_call>\n\(raw)\n</tool_call>"))
                    messages.append(.user("That tool call was not valid: \(problem). Reply with one valid tool call."))
                    if mistakes >= Self.mistakeLimit { stop = .modelMistakes(count: mistakes) }
                    break
                }
                calls += 1
                let call = ToolCall(id: "call-\(calls)", name: spec.name, arguments: arguments)
                messages.append(.assistant("", toolCalls: [call]))
                let problems = ArgumentCheck.problems(arguments, schema: spec.inputSchema)
                if !problems.isEmpty {
                    mistakes += 1
                    messages.append(.tool("Not run: bad arguments: \(problems.joined(separator: "; ")).", callID: call.id))
                    session.report(.observation("call \(call.id) has bad arguments: \(problems.joined(separator: "; "))"))
                    if mistakes >= Self.mistakeLimit { stop = .modelMistakes(count: mistakes) }
                    break
                }
                mistakes = 0
                if let earlier = session.previousResult(of: call) {
                    repeats += 1
                    session.report(.observation("call \(call.id) repeats \(earlier.callID)"))
                    if repeats >= 2 { stop = .repeatedCalls(tool: spec.name); break }
                    messages.append(.tool("Not run: this exact call already ran as \(earlier.callID) and its result "
                        + "is above. Do not repeat it; call something else or give the final answer.", callID: call.id))
                    break
                }
                guard session.budget.remainingSteps > 0 else {
                    stop = .steps(limit: session.agent.limits.maxSteps)
                    messages.append(.tool("Not run: the step budget is spent.", callID: call.id))
                    break
                }
                let result = (await session.execute([call]))[0]
                results.append((call.id, result))
                messages.append(.tool(session.fence.wrap(result, limit: session.resultLimit), callID: call.id))
            }
            if stop != nil { break }
        }
        return try await finish(messages: messages, offered: offered, stop: stop, results: results, session: session)
    }

    /// Results kept when a conversation is shortened to fit the context.
    static let shortenedResultLimit = 300

    /// Re-fences the oldest tool result still longer than `shortenedResultLimit` with that limit (the
    /// fence's truncation marker says how much was left out); false if none is left to shorten.
    static func shortenOldestResult(_ messages: inout [Message], results: [(String, ToolResult)],
                                    session: RunSession) -> Bool {
        for (callID, result) in results where result.content.count > shortenedResultLimit {
            guard let index = messages.firstIndex(where: { $0.role == .tool && $0.toolCallID == callID }) else { continue }
            let shortened = session.fence.wrap(result, limit: shortenedResultLimit)
            guard shortened.count < messages[index].content.count else { continue }
            messages[index] = .tool(shortened, callID: callID)
            return true
        }
        return false
    }

    /// One ReAct turn: the conversation, the tools, the `<tool_call>` prefill and the call schema.
    /// `allowed` narrows what may be called (the last turn may only answer) without changing the tools
    /// listed in the prompt, so the prompt prefix — and the KV cache — stays the same.
    private func turn(_ messages: [Message], tools: [ToolSpec], allowed: [ToolSpec]? = nil,
                      session: RunSession) -> CompletionRequest {
        CompletionRequest(messages: messages, tools: tools, sampling: session.agent.sampling,
                          maxTokens: session.configuration.turnMaxTokens,
                          constraint: .jsonSchema(Self.callSchema(allowed ?? tools)), stop: ["</tool_call>"],
                          prefill: "<tool_call>\n")
    }

    /// After a budget stop: one last call allowed only to answer, or an answer built from the results.
    private func finish(messages: [Message], offered: [ToolSpec], stop: BudgetStop?, results: [(String, ToolResult)],
                        session: RunSession) async throws -> PlannerResult {
        let missing = ["the run stopped before the model gave its answer"]
        let note = RunNotes.missingNote(stop: stop, missing: [])
        if session.budget.exhausted() == nil {
            var messages = messages
            messages.append(.user("\(note ?? "") Give the final answer now with what you have, and say what is missing."))
            let request = turn(messages, tools: offered, allowed: [Self.finalAnswerTool], session: session)
            let completion = try await session.complete(purpose: "answer", request)
            if case .answer(let text) = ReActOutput.parse(completion.text) {
                return PlannerResult(answer: note.map { text + "\n\n(" + $0 + ")" } ?? text, stop: stop, missing: missing)
            }
        }
        return PlannerResult(answer: RunNotes.fallbackAnswer(stop: stop ?? session.budget.exhausted(), results: results, missing: missing),
                             stop: stop ?? session.budget.exhausted(), missing: missing)
    }

    /// The schema of one call: any offered tool's name with that tool's arguments.
    static func callSchema(_ tools: [ToolSpec]) -> JSONValue {
        let branches: [JSONValue] = tools.map { tool in
            ["type": "object",
             "properties": ["name": ["type": "string", "enum": .array([.string(tool.name)])], "arguments": tool.inputSchema],
             "required": ["name", "arguments"], "additionalProperties": false]
        }
        return branches.count == 1 ? branches[0] : ["anyOf": .array(branches)]
    }
}

/// What one ReAct turn said.
enum ReActOutput: Equatable {
    case call(name: String, arguments: JSONValue)
    case answer(String)
    case mistake(String)

    /// Parses a turn's text (the JSON after the `<tool_call>` prefill, tags tolerated).
    static func parse(_ text: String) -> ReActOutput {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.hasPrefix("<tool_call>") { body = String(body.dropFirst("<tool_call>".count)) }
        if let end = body.range(of: "</tool_call>") { body = String(body[..<end.lowerBound]) }
        body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = try? JSONValue.parse(body) else {
            return .mistake("the output is not JSON: \(body.prefix(120))")
        }
        guard let name = value["name"]?.stringValue else { return .mistake("the call has no \"name\"") }
        let arguments = value["arguments"] ?? .object([:])
        if name == ReActPlanner.finalAnswerName {
            guard let answer = arguments["answer"]?.stringValue else { return .mistake("final_answer needs an \"answer\" string") }
            return .answer(answer.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard case .object = arguments else { return .mistake("\"arguments\" must be an object") }
        return .call(name: name, arguments: arguments)
    }
}
