/// Errors of the orchestrator itself (Loom's mistakes or a broken environment), never the model's.
///
/// Model mistakes — unparseable output, unknown tools, bad arguments, invalid plans — are observations
/// fed back to the model, not errors.
public enum OrchestratorError: Error, CustomStringConvertible, Sendable {
    /// The tool executor could not list its tools.
    case toolListFailed(underlying: String)
    /// The agent allows a tool name that is reserved by the planner.
    case reservedToolName(name: String)
    /// The run configuration is unusable.
    case invalidConfiguration(reason: String)

    public var description: String {
        switch self {
        case .toolListFailed(let underlying): return "could not list the available tools: \(underlying)"
        case .reservedToolName(let name): return "tool name '\(name)' is reserved by the ReAct planner"
        case .invalidConfiguration(let reason): return "invalid run configuration: \(reason)"
        }
    }
}
