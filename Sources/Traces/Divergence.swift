import AgentCore

/// The first place where a replay did not do what the record says.
public struct Divergence: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// 1-based line of the trace file where the recorded event is (or where the record ends).
    public var line: Int
    /// Which event, e.g. `model call 2 (answer)` or `tool call s3`.
    public var event: String
    /// The differing field, e.g. `request.messages[3].content (character 120)`.
    public var field: String
    /// The recorded value.
    public var recorded: String
    /// The value in the replay.
    public var now: String

    /// Creates a divergence.
    public init(line: Int, event: String, field: String, recorded: String, now: String) {
        self.line = line
        self.event = event
        self.field = field
        self.recorded = recorded
        self.now = now
    }

    public var description: String {
        "line \(line), \(event): \(field) differs\n  recorded: \(recorded)\n  now:      \(now)"
    }
}

/// Collects the divergences a replay finds; the earliest (by trace line) is the one reported.
public actor DivergenceLog {
    /// Every divergence in the order found.
    public private(set) var all: [Divergence] = []
    /// Differences between live tool results and recorded ones (`--live-tools`).
    public private(set) var toolDifferences: [Divergence] = []

    /// The trace line of the last recorded event the replay reached.
    public private(set) var lastLine = 1

    /// Creates an empty log.
    public init() {}

    /// Notes that the replay reached `line`.
    public func reached(line: Int) { lastLine = max(lastLine, line) }

    /// Adds a divergence.
    public func add(_ divergence: Divergence) { all.append(divergence) }
    /// Adds a live-tool difference.
    public func addToolDifference(_ divergence: Divergence) { toolDifferences.append(divergence) }
    /// The earliest divergence by line.
    public var first: Divergence? { all.min { $0.line < $1.line } }
}
