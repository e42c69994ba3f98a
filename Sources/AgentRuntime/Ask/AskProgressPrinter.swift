import AgentCore
import Foundation
import Orchestrator

/// Prints a run's progress as it happens: the plan, each step with its tool, arguments, short result and
/// time, model calls, and — when given somewhere to stream it — the answer as the model writes it.
/// Used by `loom ask`.
public final class AskProgressPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private let write: @Sendable (String) -> Void
    private let answerOutput: (@Sendable (String) -> Void)?
    private let verbose: Bool
    private var streamingAnswer = false
    private var answerStream = AnswerStream()
    private var streamed = ""

    /// Creates a printer writing progress to `write` (standard error by default, so stdout carries only
    /// the answer).
    ///
    /// - Parameter answerOutput: where the answer streams while it is generated (a terminal's stdout);
    ///   nil for pipes and `--json`, which get the finished answer only.
    public init(verbose: Bool = false, write: @escaping @Sendable (String) -> Void = FileHandleOutput.standardError,
                answerOutput: (@Sendable (String) -> Void)? = nil) {
        self.verbose = verbose
        self.write = write
        self.answerOutput = answerOutput
    }

    /// The answer text streamed so far (control characters shown as escapes, as printed).
    public var streamedAnswer: String {
        lock.lock()
        defer { lock.unlock() }
        return streamed
    }

    /// What is left to print of the finished `answer` after the stream: the rest of it when the stream
    /// was its beginning, otherwise the whole answer on a line of its own (the planner trims or annotates
    /// the streamed text in a few cases).
    public func remainder(of answer: String) -> String {
        let shown = TerminalText.neutralized(answer)
        let sent = streamedAnswer
        if sent.isEmpty { return shown + "\n" }
        if shown.hasPrefix(sent) { return String(shown.dropFirst(sent.count)) + "\n" }
        return "\n" + shown + "\n"
    }

    /// Shows how far the model has read a long prompt, on one line rewritten in place (`\r`), cleared
    /// once the prompt is read. For a terminal only.
    public func promptProgress(computed: Int, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let line = "  reading the prompt: \(computed) of \(total) tokens"
        write(computed < total ? "\r" + line : "\r" + String(repeating: " ", count: line.count) + "\r")
    }

    /// `handle` as a callback for `QuestionRunner.run(progress:)`.
    public var callback: @Sendable (ProgressEvent) -> Void { { [self] event in self.handle(event) } }

    /// Handles one progress event.
    public func handle(_ event: ProgressEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .plan(let plan, let replan):
            endAnswerLine()
            write(replan ? "re-plan:\n" : "plan:\n")
            for step in plan.steps {
                let after = step.dependsOn.isEmpty ? "" : "  (after \(step.dependsOn.joined(separator: ", ")))"
                write("  \(Self.short(step.id, 40)): \(Self.short(step.tool, 80)) \(Self.short(step.arguments.compactText, 160))"
                  + "\(Self.short(after, 160))\n")
            }
        case .observation(let text):
            endAnswerLine()
            write("note: \(Self.short(text, 200))\n")
        case .stepStarted(let call):
            endAnswerLine()
            write("→ \(Self.short(call.id, 40)) \(Self.short(call.name, 80)) \(Self.short(call.arguments.compactText, 160))\n")
        case .stepFinished(let call, let result):
            endAnswerLine()
            let mark = result.isError ? "✗" : "✓"
            let firstLine = result.content.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
            write("\(mark) \(Self.short(call.id, 40)) \(String(format: "%.2fs", result.durationSeconds)): \(Self.short(firstLine, 160))\n")
            for warning in result.warnings ?? [] { write("  warning: \(Self.short(warning, 200))\n") }
        case .modelCall(let purpose, let completion):
            if verbose {
                endAnswerLine()
                write("  [model \(purpose): \(completion.costSummary)]\n")
            }
        case .answerText(let piece):
            guard let answerOutput else { break }
            let text = TerminalText.neutralized(answerStream.feed(piece))
            if !text.isEmpty {
                answerOutput(text)
                streamed += text
            }
        case .budgetStop(let stop):
            endAnswerLine()
            write("stopped: \(TerminalText.neutralized("\(stop)", multiline: false))\n")
        case .answer:
            endAnswerLine()
        }
    }

    private func endAnswerLine() {
        if streamingAnswer { write("\n") }
        streamingAnswer = false
    }

    /// One line, at most `limit` characters, control characters shown as escapes (plugin and page text
    /// must not drive the terminal).
    static func short(_ text: String, _ limit: Int) -> String {
        let line = text.replacingOccurrences(of: "\n", with: " ")
        let cut = line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
        return TerminalText.neutralized(cut, multiline: false)
    }
}
