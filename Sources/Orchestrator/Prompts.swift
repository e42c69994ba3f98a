import AgentCore

/// The prompt text of both strategies. The system prompt and question come first and never change
/// during a run, and turns are only appended, so each model call shares its prefix with the last one
/// and the KV cache only processes the new turns.
enum Prompts {
    /// System prompt of the plan-then-execute strategy.
    static func planSystem(_ session: RunSession) -> String {
        """
        \(session.agent.systemPrompt)

        You answer by first writing a plan: a JSON object {"parts": [...], "steps": [...]}. In "parts" list \
        everything the question asks you to find or do, one short phrase per part, in order; then write \
        the steps that do all of the parts. Each step is {"id": "s1", "tool": "<tool name>", "arguments": {...}}.
        To use an earlier step's result in an argument, write "{{s1}}" (alone or inside a string); a step \
        runs after the steps it refers to, and steps that do not refer to each other run at the same time. \
        Use as few steps as the question needs; an empty list of steps means no tool is needed.

        Tools:
        \(session.catalog.listing)
        \(session.agent.examples.map { "\nExamples:\n" + $0.trimmingCharacters(in: .whitespacesAndNewlines) + "\n" } ?? "")
        \(session.fence.policy)
        """
    }

    /// System prompt of the ReAct strategy (tools are listed by the chat template).
    static func reactSystem(_ session: RunSession) -> String {
        """
        \(session.agent.systemPrompt)

        Work step by step. Each reply is exactly one tool call. Call one tool, read its result, then decide \
        the next call. When you know the answer, call \(ReActPlanner.finalAnswerName) with the answer.

        \(session.fence.policy)
        """
    }

    /// The results of one round of steps, fenced, in plan order. Each is headed by its call as written,
    /// so the model sees what a number is the result of (and does not compute it a second time).
    static func results(_ outcomes: [PlanExecutor.StepOutcome], session: RunSession) -> String {
        let parts = outcomes.map { outcome -> String in
            switch outcome.state {
            case .done(let result), .failed(let result):
                let call = Truncation.fit(outcome.step.arguments.compactText, limit: 200)
                return "Step \(outcome.step.id) (\(outcome.step.tool) \(call)):\n" + session.fence.wrap(result, limit: session.resultLimit)
            case .skipped(let reason):
                return "Step \(outcome.step.id) (\(outcome.step.tool)) was not run: \(reason)."
            }
        }
        return "Results:\n" + parts.joined(separator: "\n\n")
    }

    /// Asks for a plan of the failed part only.
    static func replan(failed: [String], completed: [String]) -> String {
        var text = "These steps did not succeed: \(failed.joined(separator: ", ")). "
        text += "Write a new plan for the failed part only, with new step ids. "
        if !completed.isEmpty {
            text += "Completed steps (\(completed.joined(separator: ", "))) are kept: do not repeat them; "
            text += "use their results with {{id}}."
        }
        return text
    }

    /// After a round that succeeded: more steps if the results do not answer the question yet, else none.
    /// With the `parts` the first plan listed, quoted so that the model checks the results against its
    /// own list (without them a small model sometimes takes up a part of a worked example instead).
    static func next(question: String, parts: [String] = []) -> String {
        "The question was: \(question)\n" + partsLine(parts) + "Reply {\"remaining\": \"…\", \"steps\": [...]}: in \"remaining\" say "
            + "which part of the question the results do not answer yet (or \"nothing\"), then write the steps "
            + "for that part with new step ids. Copy the numbers you need from the results into your expressions "
            + "and do not repeat a step that already ran. If a result above already is the number the question asks "
            + "for, nothing remains: do not compute on it again. When nothing remains, the steps are []."
    }

    /// After a round that gathered data but computed nothing: the steps that compute the answer from it.
    static func compute(question: String, parts: [String] = [], tools: [String]) -> String {
        "The question was: \(question)\n" + partsLine(parts) + "Now compute the answer from these results with "
            + tools.joined(separator: " or ") + ". Reply {\"remaining\": \"…\", \"steps\": [...]}: in \"remaining\" "
            + "say what to compute, then write the steps with new step ids. Copy the figures you need from the "
            + "results into your expressions as plain numbers (no thousands separators, no units). If the answer "
            + "is a figure read directly from the results, compute that figure as it is."
    }

    /// The parts of the question as the first plan listed them, one line, or nothing when it listed none.
    static func partsLine(_ parts: [String]) -> String {
        parts.isEmpty ? "" : "Its parts, as you listed them: " + parts.map { "\"\($0)\"" }.joined(separator: "; ") + ".\n"
    }

    /// Sends back a follow-up step that repeats an operand of the step it builds on.
    static func repeatedOperand(_ finding: RepeatedOperand.Finding) -> String {
        "Check step \(finding.step): it applies \(finding.operand) to the result of \(finding.earlier), but "
            + "\(finding.earlier) (\(finding.earlierExpression)) already includes \(finding.operand). "
            + "If the result of \(finding.earlier) already answers that part, nothing remains: reply "
            + "{\"remaining\": \"nothing\", \"steps\": []}. Otherwise write the steps again."
    }

    /// Asks for a corrected plan after a rejected one.
    static func rejected(_ problem: PlanProblem) -> String {
        "The plan was rejected: \(problem). Write a corrected plan."
    }

    /// Asks for the final answer.
    /// `values` are the short results (step id, value) repeated next to the question, so a small model
    /// copies them from close by instead of from memory.
    /// With `lastStep` (the id of the last step that ran), the reply first names the step it answers from.
    static func answer(question: String, note: String?, values: [(String, String)] = [], lastStep: String? = nil) -> String {
        var text = ""
        if !values.isEmpty {
            text += "The results: " + values.map { "\($0.0) = \($0.1)" }.joined(separator: "; ") + ".\n"
        }
        text += "Now answer the question using only the results above: \(question)\n"
        text += "Give the answer directly and briefly. Copy numbers exactly as the results give them; "
        text += "do not calculate anything yourself. "
        if let lastStep {
            text += "Reply {\"source\": \"<id of the step whose result answers the question: the last step, \(lastStep), "
            text += "unless an earlier one does>\", \"answer\": \"…\"}."
        } else {
            text += "Reply {\"answer\": \"…\"}."
        }
        if let note { text += " \(note) Say what is missing." }
        return text
    }

    /// An answer built without the model, when no budget is left to ask it.
    static func fallbackAnswer(stop: BudgetStop?, results: [(String, ToolResult)], missing: [String]) -> String {
        var text = "I could not finish: \(stop?.description ?? "no usable plan")."
        let good = results.filter { !$0.1.isError }
        if !good.isEmpty {
            text += " Results so far:"
            for (id, result) in good { text += "\n- \(id) (\(result.tool)): \(Truncation.fit(result.content, limit: 300))" }
        }
        if !missing.isEmpty { text += "\nMissing: \(missing.joined(separator: "; "))." }
        return text
    }

    /// The deterministic note appended to an answer when something is missing.
    static func missingNote(stop: BudgetStop?, missing: [String]) -> String? {
        guard stop != nil || !missing.isEmpty else { return nil }
        var parts: [String] = []
        if let stop { parts.append("Stopped early: \(stop).") }
        if !missing.isEmpty { parts.append("Missing: \(missing.joined(separator: "; ")).") }
        return parts.joined(separator: " ")
    }
}
