import AgentCore

/// The plan-then-execute texts sent to the model, rendered from the agent's `PromptTemplates`
/// (`Agents/prompts/plan-execute.prompts`). The system prompt and question come first and never change
/// during a run, and turns are only appended, so each model call shares its prefix with the last one and
/// the KV cache only processes the new turns.
struct PlanPrompts {
    /// The sections a plan-execute prompt file must have.
    static let sections = ["system", "results", "step-result", "step-skipped", "replan", "parts", "next",
                           "next-or-answer", "compute", "repeated-operand", "rejected", "answer", "draft", "plan-from-draft"]

    let templates: PromptTemplates
    let session: RunSession
    let policies: Set<PlannerPolicy>

    /// The system prompt: the agent's own, how to write a plan, the tools, the worked examples and the
    /// rule about fenced tool output.
    func system() -> String {
        templates.render("system", [
            "system_prompt": session.agent.systemPrompt,
            "think": policies.contains(.thinkFirst) ? "yes" : "",
            "tools": session.catalog.listing,
            "examples": session.agent.examples?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "",
            "fence_policy": session.fence.policy,
        ])
    }

    /// Asks, before the first plan, for the reasoning in words (`PlannerPolicy.draftFirst`).
    func draft() -> String { templates.render("draft", ["question": session.question]) }

    /// Asks for the first plan, after the reasoning in words.
    func planFromDraft() -> String { templates.render("plan-from-draft", [:]) }

    /// The results of one round of steps, fenced, in plan order. Each is headed by its call as written,
    /// so the model sees what a number is the result of (and does not compute it a second time).
    func results(_ outcomes: [PlanExecutor.StepOutcome]) -> String {
        let parts = outcomes.map { outcome -> String in
            switch outcome.state {
            case .done(let result), .failed(let result):
                return templates.render("step-result", [
                    "id": outcome.step.id, "tool": outcome.step.tool,
                    "call": Truncation.fit(outcome.step.arguments.compactText, limit: 200),
                    "result": session.fence.wrap(result, limit: session.resultLimit),
                ])
            case .skipped(let reason):
                return templates.render("step-skipped", ["id": outcome.step.id, "tool": outcome.step.tool, "reason": reason])
            }
        }
        return templates.render("results", ["results": parts.joined(separator: "\n\n")])
    }

    /// Asks for a plan of the failed part only.
    func replan(failed: [String], completed: [String]) -> String {
        templates.render("replan", ["failed": failed.joined(separator: ", "), "completed": completed.joined(separator: ", ")])
    }

    /// After a round that succeeded: more steps if the results do not answer the question yet; else none
    /// (or, with `offersAnswer`, the answer). With the `parts` the first plan listed, quoted so that the
    /// model checks the results against its own list (without them a small model sometimes takes up a
    /// part of a worked example instead).
    /// `lastStep` is the last step the answer may rest on, named as the likely source.
    func next(parts: [String], offersAnswer: Bool, lastStep: String?) -> String {
        templates.render(offersAnswer ? "next-or-answer" : "next",
                         ["question": session.question, "parts": partsLine(parts), "last_step": lastStep ?? ""])
    }

    /// After a round that gathered data but computed nothing: the steps that compute the answer from it.
    func compute(parts: [String], tools: [String]) -> String {
        templates.render("compute", ["question": session.question, "parts": partsLine(parts),
                                     "tools": tools.joined(separator: " or ")])
    }

    /// The parts of the question as the first plan listed them, one line, or nothing when it listed none.
    func partsLine(_ parts: [String]) -> String {
        guard policies.contains(.questionParts), !parts.isEmpty else { return "" }
        return templates.render("parts", ["parts": parts.map { "\"\($0)\"" }.joined(separator: "; ")]) + "\n"
    }

    /// Sends back a follow-up step that repeats an operand of the step it builds on.
    func repeatedOperand(_ finding: RepeatedOperand.Finding) -> String {
        templates.render("repeated-operand", ["step": finding.step, "operand": finding.operand, "earlier": finding.earlier,
                                              "earlier_expression": finding.earlierExpression])
    }

    /// Asks for a corrected plan after a rejected one.
    func rejected(_ problem: Error) -> String {
        templates.render("rejected", ["problem": "\(problem)"])
    }

    /// Asks for the final answer. `values` are the short results (step id, value) repeated next to the
    /// question; with `lastStep` and `sourced`, the reply first names the step it answers from.
    func answer(note: String?, values: [(String, String)], lastStep: String?, sourced: Bool) -> String {
        let named = sourced ? lastStep : nil
        return templates.render("answer", [
            "values": values.map { "\($0.0) = \($0.1)" }.joined(separator: "; "),
            "question": session.question,
            "last_step": named ?? "",
            "plain": named == nil ? "yes" : "",
            "note": note ?? "",
        ])
    }
}
