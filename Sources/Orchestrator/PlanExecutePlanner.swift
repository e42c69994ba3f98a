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
        var unresolved: [String: String] = [:]  // step id → why it did not succeed
        var replansLeft = session.agent.limits.maxReplans
        var replanning = false
        var continuing = false  // the last round succeeded and the model says what is left
        var stop: BudgetStop?
        var pendingResults: String?
        var mistakes = 0

        while true {
            if let spent = session.budget.exhausted() { stop = spent; break }
            let schema = PlanSchema.schema(for: session.catalog, maxSteps: session.budget.remainingSteps,
                                           remaining: continuing)
            let request = CompletionRequest(messages: messages, sampling: session.agent.sampling,
                                            maxTokens: session.configuration.planMaxTokens,
                                            constraint: .jsonSchema(schema))
            let completion = try await session.complete(purpose: replanning ? "replan" : "plan", request)
            messages.append(.assistant(completion.text))
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
                messages.append(.user(Prompts.rejected(error)))
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
            let followUp = continuing ? Prompts.next(question: session.question) : Prompts.replan(failed: failed, completed: completedOrder)
            messages.append(.user(resultsText + "\n\n" + followUp))
        }

        let missing = unresolved.keys.sorted().map { "\($0): \(unresolved[$0] ?? "")" }
        let note = Prompts.missingNote(stop: stop, missing: missing)
        let answer: String
        if let spent = session.budget.exhausted() {
            stop = stop ?? spent
            let results = completedOrder.compactMap { id in completed[id].map { (id, $0) } }
            answer = Prompts.fallbackAnswer(stop: stop, results: results, missing: missing)
        } else {
            let values = completedOrder.compactMap { id in completed[id].map { (id, References.value(of: $0)) } }
                .filter { $0.1.count <= 200 && !$0.1.contains("\n") }
            let instruction = Prompts.answer(question: session.question, note: note, values: values)
            messages.append(.user(pendingResults.map { $0 + "\n\n" + instruction } ?? instruction))
            // The answer is JSON too, {"answer": "…"}: after a conversation of plans a small model
            // otherwise tends to write one more plan where the answer should be.
            let request = CompletionRequest(messages: messages, sampling: session.agent.sampling,
                                            maxTokens: session.configuration.answerMaxTokens,
                                            constraint: .jsonSchema(Self.answerSchema))
            let completion = try await session.complete(purpose: "answer", request, streamAnswer: true)
            let text = Self.answerText(completion.text)
            answer = note.map { text + "\n\n(" + $0 + ")" } ?? text
        }
        return PlannerResult(answer: answer, stop: stop, missing: missing)
    }

    /// The schema of the answer call.
    static let answerSchema: JSONValue = [
        "type": "object", "properties": ["answer": ["type": "string"]], "required": ["answer"],
        "additionalProperties": false,
    ]

    /// The answer inside `{"answer": "…"}`; the raw text when the output was cut off before it closed.
    static func answerText(_ output: String) -> String {
        let trimmed = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if let answer = (try? JSONValue.parse(trimmed))?["answer"]?.stringValue {
            return answer.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return trimmed
    }

    private static func reason(_ outcome: PlanExecutor.StepOutcome) -> String {
        switch outcome.state {
        case .done: return ""
        case .failed(let result): return "\(outcome.step.tool) failed: \(Truncation.fit(result.content, limit: 160))"
        case .skipped(let reason): return "not run: \(reason)"
        }
    }
}
