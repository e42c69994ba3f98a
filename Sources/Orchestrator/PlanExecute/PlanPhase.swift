/// Where a plan-then-execute run is: each phase does one thing and names the next.
enum PlanPhase {
    /// Ask the model for a plan of the given kind.
    case plan(PlanRequest)
    /// Run a validated plan's steps.
    case execute(Plan, after: PlanRequest)
    /// Read a round's outcomes and decide: follow up (more steps, a re-plan) or answer.
    case observe(PlanExecutor.Round, after: PlanRequest)
    /// Write the answer: from the follow-up that started it, or with an answer call of its own.
    case answer(startedBy: String?)
}

/// The kind of plan asked for.
enum PlanRequest: Equatable {
    /// The first plan, for the question alone.
    case first
    /// The next steps once a round succeeded (or nothing, and then the answer).
    case next
    /// Steps that compute the answer from a round that only gathered data.
    case compute
    /// A plan for the steps that failed.
    case replan
    /// A corrected plan after one was rejected.
    case corrected

    /// Whether the model has seen results and says what remains before its steps.
    var continues: Bool { self == .next || self == .compute }
}
