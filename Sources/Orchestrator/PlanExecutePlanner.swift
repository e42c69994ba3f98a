import AgentCore
import Foundation

/// Plan-then-execute (HuggingGPT-style): the model writes a whole plan under a JSON-Schema constraint;
/// the plan is validated and run (independent steps concurrently); with the results in view the model
/// re-plans failed parts or adds the steps still needed (an empty plan when none are), bounded by
/// `max_replans`; a final synthesis call writes the answer from the results.
public struct PlanExecutePlanner: Planner {
    /// Creates the planner.
    public init() {}

    public func run(_ session: RunSession) async throws -> PlannerResult {
        var messages: [Message] = [.system(Prompts.planSystem(session)), .user(session.question)]
        var completed: [String: ToolResult] = [:]
        var completedOrder: [String] = []
        var echoes: Set<String> = []  // steps whose result only restates their argument
        var unresolved: [String: String] = [:]  // step id → why it did not succeed
        var replansLeft = session.agent.limits.maxReplans
        var replanning = false
        var continuing = false  // the last round succeeded and the model says what is left
        var mustCompute = false  // ... and it called none of the agent's compute tools
        let computeCatalog = session.catalog.restricted(to: session.agent.computeTools ?? [])
        var stop: BudgetStop?
        var pendingResults: String?
        var mistakes = 0
        var firstCall = true  // only the first plan lists the question's parts
        var parts: [String] = []  // ... and the follow-ups quote them
        var ranSteps: [String: Plan.Step] = [:]
        var questioned = false  // a follow-up that repeated an operand was sent back

        while true {
            if let spent = session.budget.exhausted() { stop = spent; break }
            let schema = PlanSchema.schema(for: mustCompute ? computeCatalog : session.catalog,
                                           maxSteps: session.budget.remainingSteps, remaining: continuing,
                                           minSteps: mustCompute ? 1 : 0, parts: firstCall)
            let request = CompletionRequest(messages: messages, sampling: session.agent.sampling,
                                            maxTokens: session.configuration.planMaxTokens,
                                            constraint: .jsonSchema(schema))
            let completion = try await session.complete(purpose: replanning ? "replan" : "plan", request)
            if completion.finishReason == .promptTooLong { stop = .context(tokens: completion.promptTokens.count); break }
            messages.append(.assistant(completion.text))
            if firstCall { parts = PlanSchema.parts(in: completion.text) }
            firstCall = false
            let plan: Plan
            do {
                let written = try Plan.parse(completion.text).renumbered(avoiding: Set(completed.keys))
                plan = try PlanValidation.validate(written, catalog: session.catalog, completed: Set(completed.keys))
                mistakes = 0
            } catch {
                mistakes += 1
                session.report(.observation("plan rejected: \(error)"))
                guard replansLeft > 0 else {
                    unresolved["plan"] = "no valid plan (\(error))"
                    if mistakes > 1 { stop = .modelMistakes(count: mistakes) }
                    break
                }
                replansLeft -= 1
                replanning = true
                continuing = false
                mustCompute = false
                messages.append(.user(Prompts.rejected(error)))
                continue
            }
            // A follow-up that applies a number again which the step it builds on already used is sent
            // back once (the model redoes a part one expression already did). Written a second time, it
            // is not run: the answer rests on the results so far.
            if continuing, !mustCompute,
               let finding = RepeatedOperand.find(in: plan, earlier: completedOrder.compactMap { id in
                   guard let step = ranSteps[id], let result = completed[id] else { return nil }
                   return (step, References.value(of: result))
               }) {
                if questioned {
                    session.report(.observation("plan dropped: \(finding)"))
                    break
                }
                questioned = true
                session.report(.observation("plan questioned: \(finding)"))
                messages.append(.user(Prompts.repeatedOperand(finding)))
                continue
            }
            await session.record(.plan(steps: plan.json, replan: replanning))
            session.report(.plan(plan, replan: replanning))
            if plan.steps.isEmpty { break }

            let round = await PlanExecutor.run(plan, session: session, completed: &completed)
            var failed: [String] = []
            if replanning { unresolved = [:] }  // a re-plan answers for the earlier failures
            for outcome in round.outcomes {
                if outcome.succeeded {
                    completedOrder.append(outcome.step.id)
                    ranSteps[outcome.step.id] = outcome.step
                    if case .done(let result) = outcome.state, Self.isEcho(outcome.step, result: result) {
                        echoes.insert(outcome.step.id)
                    }
                    unresolved[outcome.step.id] = nil
                } else {
                    failed.append(outcome.step.id)
                    unresolved[outcome.step.id] = Self.reason(outcome)
                }
            }
            let resultsText = Prompts.results(round.outcomes, session: session)
            if let spent = round.stop { stop = spent }
            if round.repeatedFailures > 0, round.repeatedFailures == plan.steps.count {
                stop = .repeatedCalls(tool: plan.steps[0].tool)
            }
            // A continuation that only repeats calls already made has nothing new to add: answer now.
            let nothingNew = continuing && round.repeatedSuccesses == plan.steps.count
            if stop != nil || replansLeft == 0 || nothingNew {
                pendingResults = resultsText
                break
            }
            // Every follow-up plan counts against `max_replans`: a re-plan of failed steps, or the next
            // steps once results are in (a page's numbers can only be computed with after it is read).
            replansLeft -= 1
            replanning = true
            continuing = failed.isEmpty
            mustCompute = continuing && !computeCatalog.tools.isEmpty
                && !round.outcomes.contains { computeCatalog.tool(named: $0.step.tool) != nil }
            let followUp = !continuing ? Prompts.replan(failed: failed, completed: completedOrder)
                : mustCompute ? Prompts.compute(question: session.question, parts: parts, tools: computeCatalog.names)
                : Prompts.next(question: session.question, parts: parts)
            messages.append(.user(resultsText + "\n\n" + followUp))
        }

        let missing = unresolved.keys.sorted().map { "\($0): \(unresolved[$0] ?? "")" }
        let note = Prompts.missingNote(stop: stop, missing: missing)
        let answer: String
        let results = completedOrder.compactMap { id in completed[id].map { (id, $0) } }
        if let spent = session.budget.exhausted() ?? stop.flatMap({ $0.isContext ? $0 : nil }) {
            stop = stop ?? spent
            answer = Prompts.fallbackAnswer(stop: stop, results: results, missing: missing)
        } else {
            // A step that only restated a figure (`evaluate "214"`) computed nothing: the answer does
            // not rest on it, or a small model copies that figure where the question asked for words.
            let sources = completedOrder.filter { !echoes.contains($0) }
            let values = sources.compactMap { id in completed[id].map { (id, References.value(of: $0)) } }
                .filter { $0.1.count <= 200 && !$0.1.contains("\n") }
            let instruction = Prompts.answer(question: session.question, note: note, values: values,
                                             lastStep: sources.last)
            messages.append(.user(pendingResults.map { $0 + "\n\n" + instruction } ?? instruction))
            // The answer is JSON too, {"answer": "…"}: after a conversation of plans a small model
            // otherwise tends to write one more plan where the answer should be.
            let sourced = !sources.isEmpty
            var request = CompletionRequest(messages: messages, sampling: session.agent.sampling,
                                            maxTokens: session.configuration.answerMaxTokens,
                                            constraint: .jsonSchema(Self.answerSchema(steps: sources)),
                                            stop: sourced ? [Self.answerKey] : [])
            let completion = try await session.complete(purpose: "answer", request, streamAnswer: !sourced)
            if completion.finishReason == .promptTooLong {
                stop = .context(tokens: completion.promptTokens.count)
                return PlannerResult(answer: Prompts.fallbackAnswer(stop: stop, results: results, missing: missing),
                                     stop: stop, missing: missing)
            }
            var text = Self.answerText(completion.text)
            // The first call stops where the answer would begin: `{"source": "s2", `.
            if (try? JSONValue.parse(completion.text)) == nil, let source = Self.source(in: completion.text) {
                // The answer starts with the named step's value, so the number in it is the tool's,
                // not one the model worked out again in its head; it may go on (a unit, a sentence).
                let value = values.first { $0.0 == source }?.1 ?? ""
                let quoted = JSONValue.string(value).compactText
                request.prefill = "{\"source\": \(JSONValue.string(source).compactText), \(Self.answerKey): "
                    + quoted.dropLast()
                request.stop = []
                let rest = try await session.complete(purpose: "answer", request, streamAnswer: true)
                text = Self.withoutArithmetic(Self.answerText(request.prefill + rest.text), after: value)
            }
            answer = note.map { text + "\n\n(" + $0 + ")" } ?? text
        }
        return PlannerResult(answer: answer, stop: stop, missing: missing)
    }

    /// The answer's key, where the first answer call stops once the source is named.
    static let answerKey = "\"answer\""

    /// The step named by `{"source": "s2", ` (what the first answer call writes before it stops).
    static func source(in text: String) -> String? {
        guard let value = try? JSONValue.parse(text.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ", ")) + "}")
        else { return nil }
        return value["source"]?.stringValue
    }

    /// The schema of the answer call. After steps ran, the answer first names the step it rests on
    /// (`"source"`, or `"none"`): a small model that has just written "s2" copies s2's value, where
    /// otherwise it sometimes does the arithmetic again in its head and gets it wrong.
    static func answerSchema(steps: [String]) -> JSONValue {
        guard !steps.isEmpty else {
            return ["type": "object", "properties": ["answer": ["type": "string"]], "required": ["answer"],
                    "additionalProperties": false]
        }
        return ["type": "object",
                "properties": ["source": ["enum": .array((steps + ["none"]).map { .string($0) })], "answer": ["type": "string"]],
                "required": ["source", "answer"], "propertyOrder": ["source", "answer"], "additionalProperties": false]
    }

    /// The answer inside `{"answer": "…"}`; the raw text when the output was cut off before it closed.
    static func answerText(_ output: String) -> String {
        let trimmed = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if let answer = (try? JSONValue.parse(trimmed))?["answer"]?.stringValue {
            return answer.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return trimmed
    }

    /// The answer cut back to the step's value when what the model wrote after it starts with an
    /// operator (`359730858002 + 1234567 = …`): the value is the tool's result, and arithmetic after it
    /// is the model redoing in its head what the steps already did.
    static func withoutArithmetic(_ answer: String, after value: String) -> String {
        guard !value.isEmpty, answer.hasPrefix(value) else { return answer }
        let tail = answer.dropFirst(value.count).drop { $0 == " " }
        guard let first = tail.first, "+-*/×÷^=".contains(first) else { return answer }
        return value
    }

    /// Whether a step's result only restates one of its arguments (`evaluate "118,021"` giving
    /// `118021`, `"14 June"` giving `14*June`): spaces, thousands commas and `*` aside, the same text.
    static func isEcho(_ step: Plan.Step, result: ToolResult) -> Bool {
        func bare(_ text: String) -> String { text.filter { !" ,*\n".contains($0) } }
        let value = bare(References.value(of: result))
        guard !value.isEmpty, case .object(let arguments) = step.arguments else { return false }
        return arguments.values.contains { $0.stringValue.map(bare) == value }
    }

    private static func reason(_ outcome: PlanExecutor.StepOutcome) -> String {
        switch outcome.state {
        case .done: return ""
        case .failed(let result): return "\(outcome.step.tool) failed: \(Truncation.fit(result.content, limit: 160))"
        case .skipped(let reason): return "not run: \(reason)"
        }
    }
}
