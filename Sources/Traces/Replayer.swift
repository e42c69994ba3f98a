import AgentCore
import Foundation

/// What a replay found.
public struct ReplayReport: Sendable, Hashable, Encodable {
    /// `offline`, `live-model`, `live-tools` or `fork`.
    public var mode: String
    /// Events of the record compared with the replay before the first divergence (or all of them).
    public var eventsCompared: Int
    /// Events in the record after its header.
    public var recordedEvents: Int
    /// The first divergence, if any.
    public var divergence: Divergence?
    /// Live tool results that differ from the record (`--live-tools`).
    public var toolDifferences: [Divergence]
    /// The recorded final answer.
    public var recordedAnswer: String?
    /// The replay's final answer.
    public var answer: String?
    /// Seconds the replay took.
    public var seconds: Double
    /// The torn last line of the record, if it had one.
    public var tornLine: Int?
    /// An error that ended the replayed run, other than a divergence.
    public var runError: String?

    /// Whether the replay matched the record.
    public var matched: Bool { divergence == nil && toolDifferences.isEmpty && runError == nil }

    enum CodingKeys: String, CodingKey {
        case mode, eventsCompared = "events_compared", recordedEvents = "recorded_events", divergence
        case toolDifferences = "tool_differences", recordedAnswer = "recorded_answer", answer, seconds
        case tornLine = "torn_line", runError = "run_error", matched
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode, forKey: .mode)
        try c.encode(eventsCompared, forKey: .eventsCompared)
        try c.encode(recordedEvents, forKey: .recordedEvents)
        try c.encodeIfPresent(divergence, forKey: .divergence)
        try c.encode(toolDifferences, forKey: .toolDifferences)
        try c.encodeIfPresent(recordedAnswer, forKey: .recordedAnswer)
        try c.encodeIfPresent(answer, forKey: .answer)
        try c.encode(seconds, forKey: .seconds)
        try c.encodeIfPresent(tornLine, forKey: .tornLine)
        try c.encodeIfPresent(runError, forKey: .runError)
        try c.encode(matched, forKey: .matched)
    }
}

/// Replays a trace: re-runs the recorded question through `run` with a replaying model and tool
/// executor, then compares the events the re-run produced with the record, event by event.
///
/// Traces does not know the planner: `run` is given the model, tools and sink to use and runs the
/// orchestrator with the recorded agent, question and run seed (AgentRuntime supplies it).
public enum Replayer {
    /// Runs the recorded question with the given model, tools and sink.
    public typealias Run = @Sendable (_ model: any LanguageModel, _ tools: any ToolExecutor, _ sink: any TraceSink) async throws -> Void

    /// Keys whose values are measurements, not decisions: never compared.
    static let timings: Set<String> = ["promptSeconds", "generateSeconds", "maskSeconds", "durationSeconds", "seconds", "t"]

    /// Replays `trace` in `mode`. `liveModel`/`liveTools` serve the live modes and forks; `forkSink`
    /// receives the fork's events (its header is the caller's to write).
    public static func replay(_ trace: TraceFile, mode: ReplayMode, liveModel: (any LanguageModel)? = nil,
                              liveTools: (any ToolExecutor)? = nil, forkSink: (any TraceSink)? = nil,
                              clock: any RunClock = SystemClock(), run: Run) async -> ReplayReport {
        let started = clock.now()
        let log = DivergenceLog()
        let model = ReplayModel(trace: trace, mode: mode, live: liveModel, log: log)
        let tools = ReplayToolExecutor(trace: trace, mode: mode, live: liveTools, log: log)
        let memory = MemoryTraceSink()
        let sink: any TraceSink = forkSink.map { TeeTraceSink([memory, $0]) } ?? memory
        var runError: String?
        do { try await run(model, tools, sink) } catch is Divergence {} catch { runError = String(describing: error) }

        let replayed = await memory.events
        let recorded = trace.records.map(\.event)
        var ignoring = timings
        // Where a live call's keys and values came from depends on what is cached, and which tokens the
        // constraint forced on how the build decodes (traces from before jump-forward have no count):
        // the tokens themselves are what is compared.
        if mode == .liveModel { ignoring.formUnion(["reusedPromptTokens", "diskCachedPromptTokens", "forcedTokens"]) }
        var compared = 0
        var divergence: Divergence?
        if case .fork = mode {
            compared = replayed.count
        } else {
            let found = firstDifference(recorded: recorded, replayed: replayed, ignoring: ignoring, torn: trace.torn)
            compared = found.compared
            divergence = [await log.first, found.divergence].compactMap { $0 }.min { $0.line < $1.line }
            if divergence != nil { runError = nil }  // the run's error is the divergence's consequence
            else if let error = runError, recorded.contains(.error(message: error)) { runError = nil }
        }
        let answer = replayed.lazy.compactMap { if case .answer(let text) = $0 { return text } else { return nil } }.first
        return ReplayReport(mode: name(of: mode), eventsCompared: compared, recordedEvents: recorded.count,
                            divergence: divergence, toolDifferences: await log.toolDifferences,
                            recordedAnswer: trace.answer, answer: answer, seconds: clock.now() - started,
                            tornLine: trace.torn?.line, runError: runError)
    }

    /// The first event where the replay differs from the record, and how many matched before it.
    static func firstDifference(recorded: [Trace.Event], replayed: [Trace.Event], ignoring: Set<String>,
                                torn: TraceFile.TornLine?) -> (compared: Int, divergence: Divergence?) {
        for index in 0..<max(recorded.count, replayed.count) {
            let line = TraceFile.line(ofRecord: index)
            guard index < recorded.count else {
                let end = torn.map { "the record ends at line \(line - 1) (line \($0.line) is torn)" } ?? "the record ends at line \(line - 1)"
                return (index, Divergence(line: line, event: TraceRecord.typeName(replayed[index]), field: "presence",
                                          recorded: end, now: "a \(TraceRecord.typeName(replayed[index])) event"))
            }
            let name = describe(recorded[index], among: recorded, at: index)
            guard index < replayed.count else {
                return (index, Divergence(line: line, event: name, field: "presence",
                                          recorded: "a \(TraceRecord.typeName(recorded[index])) event", now: "the replay ended"))
            }
            if recorded[index] == replayed[index] { continue }
            let old = JSONValue.encoding(TraceRecord(seq: 0, elapsed: 0, event: recorded[index]))
            let new = JSONValue.encoding(TraceRecord(seq: 0, elapsed: 0, event: replayed[index]))
            if let difference = JSONDiff.first(old, new, ignoring: ignoring) {
                return (index, Divergence(line: line, event: name, field: difference.path,
                                          recorded: difference.recorded, now: difference.now))
            }
        }
        return (max(recorded.count, replayed.count), nil)
    }

    /// A short name for an event: `model call 2 (answer)`, `tool call s1 (evaluate)`, `plan`, ….
    static func describe(_ event: Trace.Event, among events: [Trace.Event], at index: Int) -> String {
        switch event {
        case .modelCall(let call):
            let number = events[...index].filter { if case .modelCall = $0 { return true } else { return false } }.count
            return "model call \(number) (\(call.purpose))"
        case .toolCall(let call, _): return "tool call \(call.id) (\(call.name))"
        default: return TraceRecord.typeName(event).replacingOccurrences(of: "_", with: " ")
        }
    }

    static func name(of mode: ReplayMode) -> String {
        switch mode {
        case .offline: return "offline"
        case .liveModel: return "live-model"
        case .liveTools: return "live-tools"
        case .fork: return "fork"
        }
    }
}

/// Sends each event to several sinks, in order.
public struct TeeTraceSink: TraceSink {
    let sinks: [any TraceSink]

    /// Creates a sink that forwards to `sinks`.
    public init(_ sinks: [any TraceSink]) { self.sinks = sinks }

    public func record(_ event: Trace.Event) async {
        for sink in sinks { await sink.record(event) }
    }
}
