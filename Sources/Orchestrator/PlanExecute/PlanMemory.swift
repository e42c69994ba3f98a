import AgentCore

/// One step of a run as the planner remembers it: the call as planned, how it ended and how long it took.
public struct PlanStepRecord: Sendable {
    /// The step as the plan wrote it (after renumbering and validation).
    public var step: Plan.Step
    /// The tool's result, if the step ran.
    public var result: ToolResult?
    /// Why the step did not succeed (a failed call or a skipped step), nil when it did.
    public var error: String?
    /// Whether the result only restates one of the step's arguments (see `PlannerPolicy.skipEchoes`).
    public var isEcho: Bool
    /// How long the tool call took, in seconds (0 when it did not run).
    public var seconds: Double

    /// Whether the step ran and succeeded.
    public var succeeded: Bool { error == nil && result != nil }
}

/// What the planner has done so far: the conversation sent to the model, the steps in the order they
/// ended, the question's parts as the first plan listed them, and what could not be done.
struct PlanMemory {
    /// The conversation: system prompt, question, the model's plans and the follow-up turns.
    var messages: [Message]
    /// Every step that ended, in order.
    var steps: [PlanStepRecord] = []
    /// The parts of the question, as the first plan listed them.
    var parts: [String] = []
    /// Step id (or `plan`) → why it could not be done; cleared by a re-plan that answers for it.
    var unresolved: [String: String] = [:]
    /// The results of the last round, not yet sent to the model (the run ends before a follow-up).
    var pendingResults: String?

    /// Results of the succeeded steps by id (what `{{s1}}` references and re-plans may use).
    var completed: [String: ToolResult] {
        Dictionary(steps.compactMap { record in record.succeeded ? record.result.map { (record.step.id, $0) } : nil },
                   uniquingKeysWith: { _, last in last })
    }

    /// Ids of the succeeded steps, in the order they ended.
    var completedOrder: [String] { steps.filter(\.succeeded).map(\.step.id) }

    /// The succeeded steps the answer may rest on (echoes left out when `skipEchoes` is on).
    func sources(skippingEchoes: Bool) -> [PlanStepRecord] {
        steps.filter { $0.succeeded && !(skippingEchoes && $0.isEcho) }
    }

    /// What is missing, one line per unresolved step, sorted by id.
    var missing: [String] { unresolved.keys.sorted().map { "\($0): \(unresolved[$0] ?? "")" } }
}
