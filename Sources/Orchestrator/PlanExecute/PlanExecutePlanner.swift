import AgentCore
import Foundation

/// Plan-then-execute (HuggingGPT-style), as phases over a memory of steps: the model writes a whole plan
/// under a JSON-Schema constraint; the plan is validated and run (independent steps concurrently); with
/// the results in view the model re-plans failed parts or adds the steps still needed, bounded by
/// `max_replans`; the answer is written by the follow-up that finds nothing remains, or by an answer call.
/// The rules on top of that are named `PlannerPolicy`s an agent lists; the texts sent come from the
/// agent's `PromptTemplates`.
public struct PlanExecutePlanner: Planner {
    /// Creates the planner.
    public init() {}

    public func run(_ session: RunSession) async throws -> PlannerResult {
        var run = try PlanRun(session: session)
        var phase = PlanPhase.plan(.first)
        while true {
            switch phase {
            case .plan(let request): phase = try await run.plan(request)
            case .execute(let plan, let request): phase = await run.execute(plan, after: request)
            case .observe(let round, let request): phase = run.observe(round, after: request)
            case .answer(let started): return try await run.answer(startedBy: started)
            }
        }
    }
}

/// One run of the plan-then-execute planner: its memory, its budgets of re-plans and mistakes, and one
/// method per phase.
struct PlanRun {
    let session: RunSession
    let policies: Set<PlannerPolicy>
    let prompts: PlanPrompts
    /// The agent's compute tools (empty when it names none or the policy is off).
    let computeCatalog: ToolCatalog
    var memory: PlanMemory
    var replansLeft: Int
    var mistakes = 0
    var stop: BudgetStop?
    /// A follow-up that repeated an operand was already sent back once.
    var questioned = false
    /// The schema of the follow-up that started the answer.
    var startedSchema: JSONValue?

    init(session: RunSession) throws {
        self.session = session
        do { policies = try PlannerPolicy.resolve(session.agent.policies) } catch {
            throw OrchestratorError.invalidConfiguration(reason: "\(error)")
        }
        guard let templates = session.agent.prompts?[AgentDefinition.Strategy.planExecute.rawValue] else {
            throw OrchestratorError.invalidConfiguration(reason: "the agent has no plan-execute prompts (Agents/prompts/plan-execute.prompts)")
        }
        prompts = PlanPrompts(templates: templates, session: session, policies: policies)
        computeCatalog = policies.contains(.computeAfterGathering)
            ? session.catalog.restricted(to: session.agent.computeTools ?? []) : session.catalog.restricted(to: [])
        memory = PlanMemory(messages: [.system(prompts.system()), .user(session.question)])
        replansLeft = session.agent.limits.maxReplans
    }

    // MARK: Plan

    mutating func plan(_ request: PlanRequest) async throws -> PlanPhase {
        if let spent = session.budget.exhausted() { stop = spent; return .answer(startedBy: nil) }
        if request == .first, policies.contains(.draftFirst) {
            if let spent = try await draft() { stop = spent; return .answer(startedBy: nil) }
        }
        let compute = request == .compute
        let offersAnswer = request == .next && policies.contains(.answerWhenDone)
        var schema = PlanSchema.schema(for: compute ? computeCatalog : session.catalog,
                                       maxSteps: session.budget.remainingSteps, remaining: request.continues,
                                       minSteps: compute ? 1 : 0,
                                       parts: request == .first && policies.contains(.questionParts),
                                       thought: request == .first && policies.contains(.thinkFirst))
        if offersAnswer {
            schema = AnswerWriting.planOrAnswer(schema, sources: sourceIDs, sourced: policies.contains(.answerFromSource))
        }
        let answerStop = offersAnswer && policies.contains(.answerFromSource)
        var modelRequest = CompletionRequest(messages: memory.messages, sampling: session.agent.sampling,
                                             maxTokens: session.configuration.planMaxTokens,
                                             constraint: .jsonSchema(schema), stop: answerStop ? [AnswerWriting.answerKey] : [])
        let purpose = request == .first ? "plan" : "replan"
        var completion = try await session.complete(purpose: purpose, modelRequest)
        if answerStop, completion.finishReason == .stopString, AnswerWriting.source(in: completion.text) == nil {
            // The stop string came up inside a step (a program printing "answer"): write the plan again
            // without it.
            modelRequest.stop = []
            completion = try await session.complete(purpose: purpose, modelRequest)
        }
        if completion.finishReason == .promptTooLong {
            stop = .context(tokens: completion.promptTokens.count)
            return .answer(startedBy: nil)
        }
        memory.messages.append(.assistant(completion.text))
        if request == .first { memory.parts = PlanSchema.parts(in: completion.text) }
        if offersAnswer, AnswerWriting.isAnswer(completion.text) {
            startedSchema = schema
            return .answer(startedBy: completion.text)
        }

        let plan: Plan
        do {
            let written = try Plan.parse(completion.text).renumbered(avoiding: Set(memory.completed.keys))
            plan = try PlanValidation.validate(written, catalog: session.catalog, completed: Set(memory.completed.keys))
            mistakes = 0
        } catch {
            mistakes += 1
            session.report(.observation("plan rejected: \(error)"))
            guard replansLeft > 0 else {
                memory.unresolved["plan"] = "no valid plan (\(error))"
                if mistakes > 1 { stop = .modelMistakes(count: mistakes) }
                return .answer(startedBy: nil)
            }
            replansLeft -= 1
            memory.messages.append(.user(prompts.rejected(error)))
            return .plan(.corrected)
        }
        if request == .next, policies.contains(.repeatedOperand), let finding = repeatedOperand(in: plan) {
            if questioned {
                session.report(.observation("plan dropped: \(finding)"))
                return .answer(startedBy: nil)
            }
            questioned = true
            session.report(.observation("plan questioned: \(finding)"))
            memory.messages.append(.user(prompts.repeatedOperand(finding)))
            return .plan(.next)
        }
        await session.record(.plan(steps: plan.json, replan: request != .first))
        session.report(.plan(plan, replan: request != .first))
        return plan.steps.isEmpty ? .answer(startedBy: nil) : .execute(plan, after: request)
    }

    /// The reasoning in words before the first plan: the question's turn asks for it, the model writes it
    /// unconstrained, and the plan is asked for after it. Returns a stop when the prompt does not fit.
    mutating func draft() async throws -> BudgetStop? {
        guard let last = memory.messages.last, last.role == .user else { return nil }
        memory.messages[memory.messages.count - 1] = .user(last.content + "\n\n" + prompts.draft())
        let request = CompletionRequest(messages: memory.messages, sampling: session.agent.sampling,
                                        maxTokens: session.configuration.planMaxTokens)
        let completion = try await session.complete(purpose: "draft", request)
        if completion.finishReason == .promptTooLong { return .context(tokens: completion.promptTokens.count) }
        session.report(.observation("draft: " + Truncation.fit(completion.text, limit: 400)))
        memory.messages.append(.assistant(completion.text))
        memory.messages.append(.user(prompts.planFromDraft()))
        return nil
    }

    /// A follow-up step that applies a number again which the step it builds on already used.
    func repeatedOperand(in plan: Plan) -> RepeatedOperand.Finding? {
        RepeatedOperand.find(in: plan, earlier: memory.steps.compactMap { record in
            guard record.succeeded, let result = record.result else { return nil }
            return (record.step, References.value(of: result))
        })
    }

    /// The steps an answer may name as its source.
    var sourceIDs: [String] { memory.sources(skippingEchoes: policies.contains(.skipEchoes)).map(\.step.id) }

    // MARK: Execute

    mutating func execute(_ plan: Plan, after request: PlanRequest) async -> PlanPhase {
        var completed = memory.completed
        let round = await PlanExecutor.run(plan, session: session, completed: &completed)
        if request != .first { memory.unresolved = [:] }  // a follow-up answers for the earlier failures
        for outcome in round.outcomes {
            var record = PlanStepRecord(step: outcome.step, result: outcome.result, error: nil, isEcho: false,
                                        seconds: outcome.result?.durationSeconds ?? 0)
            if outcome.succeeded {
                if case .done(let result) = outcome.state { record.isEcho = AnswerWriting.isEcho(outcome.step, result: result) }
                memory.unresolved[outcome.step.id] = nil
            } else {
                record.error = Self.reason(outcome)
                memory.unresolved[outcome.step.id] = record.error
            }
            memory.steps.append(record)
        }
        return .observe(round, after: request)
    }

    // MARK: Observe

    mutating func observe(_ round: PlanExecutor.Round, after request: PlanRequest) -> PlanPhase {
        let resultsText = prompts.results(round.outcomes)
        if let spent = round.stop { stop = spent }
        let count = round.outcomes.count
        if round.repeatedFailures > 0, round.repeatedFailures == count {
            stop = .repeatedCalls(tool: round.outcomes[0].step.tool)
        }
        // A continuation that only repeats calls already made has nothing new to add: answer now.
        let nothingNew = policies.contains(.stopOnRepeats) && request.continues && round.repeatedSuccesses == count
        if stop != nil || replansLeft == 0 || nothingNew {
            memory.pendingResults = resultsText
            return .answer(startedBy: nil)
        }
        // Every follow-up counts against `max_replans`: a re-plan of failed steps, or the next steps once
        // results are in (a page's numbers can only be computed with after it is read).
        replansLeft -= 1
        let failed = round.outcomes.filter { !$0.succeeded }.map(\.step.id)
        let next: PlanRequest
        let followUp: String
        if !failed.isEmpty {
            next = .replan
            followUp = prompts.replan(failed: failed, completed: memory.completedOrder)
        } else if !computeCatalog.tools.isEmpty,
                  !round.outcomes.contains(where: { computeCatalog.tool(named: $0.step.tool) != nil }) {
            next = .compute
            followUp = prompts.compute(parts: memory.parts, tools: computeCatalog.names)
        } else {
            next = .next
            followUp = prompts.next(parts: memory.parts, offersAnswer: policies.contains(.answerWhenDone),
                                    lastStep: sourceIDs.last)
        }
        memory.messages.append(.user(resultsText + "\n\n" + followUp))
        return .plan(next)
    }

    // MARK: Answer

    mutating func answer(startedBy started: String?) async throws -> PlannerResult {
        let missing = memory.missing
        let note = RunNotes.missingNote(stop: stop, missing: missing)
        let results = memory.steps.compactMap { record in record.succeeded ? record.result.map { (record.step.id, $0) } : nil }
        if let spent = session.budget.exhausted() ?? stop.flatMap({ $0.isContext ? $0 : nil }) {
            stop = stop ?? spent
            return PlannerResult(answer: RunNotes.fallbackAnswer(stop: stop, results: results, missing: missing),
                                 stop: stop, missing: missing)
        }
        let writer = AnswerWriting(session: session, policies: policies, sources: memory.sources(skippingEchoes: policies.contains(.skipEchoes)))
        let written: AnswerWriting.Written
        if let started {
            written = try await writer.finish(started, messages: Array(memory.messages.dropLast()),
                                              schema: startedSchema ?? AnswerWriting.answerSchema(steps: []))
        } else {
            let instruction = prompts.answer(note: note, values: writer.values, lastStep: writer.sourceIDs.last,
                                             sourced: policies.contains(.answerFromSource))
            memory.messages.append(.user(memory.pendingResults.map { $0 + "\n\n" + instruction } ?? instruction))
            written = try await writer.write(messages: memory.messages)
        }
        switch written {
        case .text(let text):
            return PlannerResult(answer: note.map { text + "\n\n(" + $0 + ")" } ?? text, stop: stop, missing: missing)
        case .tooLong(let tokens):
            stop = .context(tokens: tokens)
            return PlannerResult(answer: RunNotes.fallbackAnswer(stop: stop, results: results, missing: missing),
                                 stop: stop, missing: missing)
        }
    }

    private static func reason(_ outcome: PlanExecutor.StepOutcome) -> String {
        switch outcome.state {
        case .done: return ""
        case .failed(let result): return "\(outcome.step.tool) failed: \(Truncation.fit(result.content, limit: 160))"
        case .skipped(let reason): return "not run: \(reason)"
        }
    }
}
