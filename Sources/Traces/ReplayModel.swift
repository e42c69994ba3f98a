import AgentCore

/// How a replay treats the model and the tools.
public enum ReplayMode: Sendable, Hashable {
    /// Everything comes from the record; requests and tool calls must match it exactly.
    case offline
    /// The model runs again (same seed and settings); its tokens must match the record.
    case liveModel
    /// The tools run again; their results are compared with the record (the recorded ones are used).
    case liveTools
    /// Recorded outputs up to (not including) this 1-based trace line, then the live model and tools.
    case fork(untilLine: Int)
}

/// A language model that serves a trace's recorded completions, checking that each request is the
/// recorded one; with `.liveModel` it runs the real model and compares tokens instead.
public actor ReplayModel: LanguageModel {
    struct Recorded {
        var line: Int
        var number: Int
        var call: Trace.ModelCall
    }

    public nonisolated let info: ModelInfo
    private let recorded: [Recorded]
    private let endLine: Int
    private let mode: ReplayMode
    private let live: (any LanguageModel)?
    private let log: DivergenceLog
    private var next = 0
    private var forked = false

    /// Creates a replaying model over `trace`. `live` is required by `.liveModel` and `.fork`.
    public init(trace: TraceFile, mode: ReplayMode, live: (any LanguageModel)?, log: DivergenceLog) {
        var calls: [Recorded] = []
        for (index, record) in trace.records.enumerated() {
            if case .modelCall(let call) = record.event {
                calls.append(Recorded(line: TraceFile.line(ofRecord: index), number: calls.count + 1, call: call))
            }
        }
        recorded = calls
        endLine = TraceFile.line(ofRecord: trace.records.count)
        self.mode = mode
        self.live = live
        self.log = log
        info = live?.info ?? trace.header.model
    }

    public func complete(_ request: CompletionRequest, onText: (@Sendable (String) -> Void)?) async throws -> Completion {
        if let first = await log.first { throw first }
        if case .fork(let until) = mode, next >= recorded.count || recorded[next].line >= until { forked = true }
        if forked {
            guard let live else { throw await fail(Divergence(line: endLine, event: "fork", field: "model",
                                                              recorded: "a live model", now: "none was given")) }
            return try await live.complete(request, onText: onText)
        }
        guard next < recorded.count else {
            throw await fail(Divergence(line: endLine, event: "model call \(next + 1)", field: "presence",
                                        recorded: "the record ends after line \(endLine - 1)",
                                        now: "the replay asks for another model call"))
        }
        let entry = recorded[next]
        next += 1
        await log.reached(line: entry.line)
        let event = "model call \(entry.number) (\(entry.call.purpose))"
        if case .fork = mode {} else if entry.call.request != request,
            let difference = JSONDiff.first(.encoding(entry.call.request), .encoding(request), path: "request") {
            throw await fail(Divergence(line: entry.line, event: event, field: difference.path,
                                        recorded: difference.recorded, now: difference.now))
        }
        guard mode == .liveModel, let live else {
            onText?(entry.call.completion.text)
            return entry.call.completion
        }
        let completion = try await live.complete(request, onText: onText)
        let old = entry.call.completion
        if !old.prompt.isEmpty, !completion.prompt.isEmpty, old.prompt != completion.prompt {
            let difference = JSONDiff.around(old.prompt, completion.prompt, path: "completion.prompt")
            throw await fail(Divergence(line: entry.line, event: event, field: difference.path,
                                        recorded: difference.recorded, now: difference.now))
        }
        if let index = Self.firstDifference(old.generatedTokens, completion.generatedTokens) {
            func token(_ tokens: [Int]) -> String { index < tokens.count ? "token \(tokens[index])" : "end of output" }
            let text = JSONDiff.around(old.text, completion.text, path: "")
            throw await fail(Divergence(line: entry.line, event: event, field: "completion.generatedTokens[\(index)]",
                                        recorded: "\(token(old.generatedTokens)) in \(text.recorded)",
                                        now: "\(token(completion.generatedTokens)) in \(text.now)"))
        }
        // A remote model reports text, not token ids: its outputs are compared as text.
        if old.generatedTokens.isEmpty, completion.generatedTokens.isEmpty, old.text != completion.text {
            let difference = JSONDiff.around(old.text, completion.text, path: "completion.text")
            throw await fail(Divergence(line: entry.line, event: event, field: difference.path,
                                        recorded: difference.recorded, now: difference.now))
        }
        return completion
    }

    /// The first index where two token lists differ (including one ending early), or nil.
    static func firstDifference(_ a: [Int], _ b: [Int]) -> Int? {
        let shared = min(a.count, b.count)
        if let index = (0..<shared).first(where: { a[$0] != b[$0] }) { return index }
        return a.count == b.count ? nil : shared
    }

    private func fail(_ divergence: Divergence) async -> Divergence {
        await log.add(divergence)
        return divergence
    }
}
