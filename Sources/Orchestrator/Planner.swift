import AgentCore

/// A planning strategy: drives one run through a `RunSession` and returns its answer.
public protocol Planner: Sendable {
    /// Runs the question in `session` (model calls, tool calls, trace events) and returns the result.
    func run(_ session: RunSession) async throws -> PlannerResult
}

/// What a planner hands back: the answer and, when it stopped early, why and what is missing.
public struct PlannerResult: Sendable, Hashable {
    /// The answer text (already including any note about what is missing).
    public var answer: String
    /// The budget that stopped the run, if one did.
    public var stop: BudgetStop?
    /// What the answer could not cover (failed or skipped steps).
    public var missing: [String]

    /// Creates a result.
    public init(answer: String, stop: BudgetStop? = nil, missing: [String] = []) {
        self.answer = answer
        self.stop = stop
        self.missing = missing
    }
}

/// ProgressEvent of a run as it happens, for a CLI to print.
public enum ProgressEvent: Sendable {
    /// A plan was accepted (`replan` for a re-plan of a failed part).
    case plan(Plan, replan: Bool)
    /// The model's output was not usable; the problem was fed back to it.
    case observation(String)
    /// A tool call started.
    case stepStarted(ToolCall)
    /// A tool call finished.
    case stepFinished(ToolCall, ToolResult)
    /// A model call finished.
    case modelCall(purpose: String, completion: Completion)
    /// Streamed answer text.
    case answerText(String)
    /// A budget stopped the run.
    case budgetStop(BudgetStop)
    /// The final answer.
    case answer(String)
}
