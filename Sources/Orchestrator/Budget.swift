import AgentCore

/// Why a run stopped before it was done.
public enum BudgetStop: Sendable, Hashable, CustomStringConvertible {
    /// The tool-call budget is spent.
    case steps(limit: Int)
    /// The generated-token budget is spent.
    case tokens(limit: Int)
    /// The wall-clock budget is spent.
    case wallTime(seconds: Double)
    /// The model kept asking for a call that already ran.
    case repeatedCalls(tool: String)
    /// The model kept producing output that is not a valid call or plan.
    case modelMistakes(count: Int)
    /// The conversation no longer fits the model's context, even with earlier results shortened.
    case context(tokens: Int)

    /// Whether the run stopped because it repeated a call (a loop), not because a budget ran out.
    public var isRepeat: Bool {
        if case .repeatedCalls = self { return true }
        return false
    }

    /// Whether this is the `context` stop: no further model call can fit.
    public var isContext: Bool {
        if case .context = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .steps(let limit): return "step budget reached (\(limit) tool calls)"
        case .tokens(let limit): return "token budget reached (\(limit) generated tokens)"
        case .wallTime(let seconds): return "time budget reached (\(Self.format(seconds)) s)"
        case .repeatedCalls(let tool): return "repeated identical calls of \(tool) stopped"
        case .modelMistakes(let count): return "stopped after \(count) invalid model outputs in a row"
        case .context(let tokens): return "the conversation (\(tokens) tokens) no longer fits the model's context"
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
    }
}

/// Tracks a run's use of its budgets: tool calls, generated tokens and wall time (on an injected clock).
struct BudgetTracker {
    let limits: AgentDefinition.Limits
    let clock: any RunClock
    /// When the run started (a routed run: when its routing call started).
    var start: Double
    /// Tool calls started so far.
    var stepsUsed = 0
    /// Tokens generated so far.
    var tokensUsed = 0

    init(limits: AgentDefinition.Limits, clock: any RunClock) {
        self.limits = limits
        self.clock = clock
        start = clock.now()
    }

    /// Tool calls still allowed.
    var remainingSteps: Int { max(limits.maxSteps - stepsUsed, 0) }
    /// Tokens still allowed.
    var remainingTokens: Int { max(limits.maxTokens - tokensUsed, 0) }
    /// Seconds since the run started.
    var elapsed: Double { clock.now() - start }

    /// The token or time budget that is spent, if any (steps are checked where calls are made).
    func exhausted() -> BudgetStop? {
        if tokensUsed >= limits.maxTokens { return .tokens(limit: limits.maxTokens) }
        return wallTimeExhausted()
    }

    /// The time budget, if it is spent (planned tool calls may still run when only tokens are spent).
    func wallTimeExhausted() -> BudgetStop? {
        elapsed >= limits.wallSeconds ? .wallTime(seconds: limits.wallSeconds) : nil
    }
}
