import AgentCore
import Foundation

/// Renders a trace as a readable transcript: what was asked, each model call with token counts and
/// timings, the plan, each tool call with its arguments, result and duration, and the answer.
public enum TraceText {
    /// The transcript of `trace`, with control characters from plugins, pages and the model shown as
    /// escapes (`TerminalText`), so printing it cannot drive the terminal.
    public static func render(_ trace: TraceFile) -> String {
        TerminalText.neutralized(transcript(trace))
    }

    private static func transcript(_ trace: TraceFile) -> String {
        let h = trace.header
        var out = "Trace (schema \(h.schemaVersion), Loom \(h.loomVersion), started \(h.startedAt))\n"
        if let parent = h.parent { out += "Forked from: \(parent)\n" }
        out += "Question: \(h.question)\n"
        out += "Agent: \(h.agent.name) (\(h.agent.strategy.rawValue)); model \(h.model.name)"
        if let sha = h.model.sha256 { out += " sha256 \(sha.prefix(12))…" }
        out += "; seed \(h.agent.sampling.seed), temperature \(format(h.agent.sampling.temperature))\n"
        out += "Tools: \(h.tools.map { "\($0.plugin).\($0.name)" }.joined(separator: ", "))\n\n"
        var modelCalls = 0
        for record in trace.records {
            let at = "[\(pad(format(record.elapsed) + " s", 9))]"
            switch record.event {
            case .header: break
            case .modelCall(let call):
                modelCalls += 1
                let c = call.completion
                out += "\(at) model call \(modelCalls) (\(call.purpose)): \(c.costSummary), \(c.finishReason.rawValue)\n"
                out += indent(short(c.text, 400))
            case .plan(let steps, let replan):
                out += "\(at) \(replan ? "re-plan" : "plan"):\n"
                for step in steps["steps"]?.arrayValue ?? [] {
                    let deps = (step["depends_on"]?.arrayValue ?? []).compactMap(\.stringValue)
                    out += "             \(step["id"]?.stringValue ?? "?") \(step["tool"]?.stringValue ?? "?") "
                    out += "\(step["arguments"]?.compactText ?? "{}")"
                    out += deps.isEmpty ? "\n" : " after \(deps.joined(separator: ", "))\n"
                }
            case .toolCall(let call, let result):
                out += "\(at) tool \(call.id) \(result.plugin).\(call.name) \(call.arguments.compactText) "
                out += "\(result.isError ? "FAILED" : "ok") in \(format(result.durationSeconds)) s\n"
                out += indent(short(result.content, 300))
                for warning in result.warnings ?? [] { out += indent("loom warning: " + warning) }
            case .toolSelection(let selected, let offered, let terms):
                out += "\(at) tools shown: \(selected.count) of \(offered) (\(selected.joined(separator: ", "))), "
                    + "matched on: \(terms.joined(separator: " "))\n"
            case .answer(let text): out += "\(at) answer:\n" + indent(text)
            case .budgetStop(let reason): out += "\(at) budget stop: \(reason)\n"
            case .error(let message): out += "\(at) error: \(message)\n"
            case .summary(let steps, let calls, let tokens, let seconds):
                out += "\(at) summary: \(steps) tool calls, \(calls) model calls, \(tokens) generated tokens, \(format(seconds)) s\n"
            }
        }
        if let torn = trace.torn { out += "\n(line \(torn.line) is torn: \(torn.bytes) bytes of an unfinished event were ignored)\n" }
        if !trace.isComplete { out += "(the run did not finish: the trace has no summary)\n" }
        return out
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }

    static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(width - text.count, 0)) + text
    }

    static func short(_ text: String, _ limit: Int) -> String {
        let flat = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return flat.count > limit ? String(flat.prefix(limit)) + " …" : flat
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "             " + $0 }.joined(separator: "\n") + "\n"
    }
}
