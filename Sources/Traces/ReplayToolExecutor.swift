import AgentCore

/// A tool executor that serves a trace's recorded results, checking each call against the record;
/// with `.liveTools` it also runs the tools again and logs where their results differ.
public actor ReplayToolExecutor: ToolExecutor {
    struct Recorded {
        var line: Int
        var call: ToolCall
        var result: ToolResult
    }

    private let specs: [ToolSpec]
    private var recorded: [String: [Recorded]] = [:]
    private let mode: ReplayMode
    private let live: (any ToolExecutor)?
    private let log: DivergenceLog

    /// Creates a replaying executor over `trace`. `live` is required by `.liveTools` and `.fork`.
    public init(trace: TraceFile, mode: ReplayMode, live: (any ToolExecutor)?, log: DivergenceLog) {
        for (index, record) in trace.records.enumerated() {
            if case .toolCall(let call, let result) = record.event {
                recorded[call.id, default: []].append(Recorded(line: TraceFile.line(ofRecord: index), call: call, result: result))
            }
        }
        specs = trace.header.tools
        self.mode = mode
        self.live = live
        self.log = log
    }

    public func tools() async throws -> [ToolSpec] {
        if case .fork = mode, let live { return try await live.tools() }
        return specs
    }

    public func call(_ call: ToolCall) async -> ToolResult {
        let entry = recorded[call.id]?.first
        if case .fork(let until) = mode, entry == nil || (entry?.line ?? 0) >= until, let live {
            return await live.call(call)
        }
        guard let entry else {
            let line = await log.lastLine + 1
            await log.add(Divergence(line: line, event: "tool call \(call.id)", field: "presence",
                                     recorded: "no call \(call.id) in the record", now: JSONValue.encoding(call).compactText))
            return Self.refusal(call, "replay: this call is not in the record")
        }
        recorded[call.id]?.removeFirst()
        if case .fork = mode {} else if entry.call != call,
            let difference = JSONDiff.first(.encoding(entry.call), .encoding(call), path: "call") {
            await log.add(Divergence(line: entry.line, event: "tool call \(call.id)", field: difference.path,
                                     recorded: difference.recorded, now: difference.now))
            return Self.refusal(call, "replay: this call differs from the record")
        }
        if mode == .liveTools, let live {
            let now = await live.call(call)
            if let difference = JSONDiff.first(.encoding(entry.result), .encoding(now), path: "result",
                                               ignoring: ["durationSeconds"]) {
                await log.addToolDifference(Divergence(line: entry.line, event: "tool call \(call.id) (\(call.name))",
                                                       field: difference.path, recorded: difference.recorded, now: difference.now))
            }
        }
        return entry.result
    }

    private static func refusal(_ call: ToolCall, _ text: String) -> ToolResult {
        ToolResult(callID: call.id, plugin: "", tool: call.name, content: text, isError: true)
    }
}
