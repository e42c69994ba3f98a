import Foundation
import Traces

/// Formats replay reports for the terminal and as JSON.
public enum ReplayOutput {
    /// A short human-readable summary.
    public static func text(_ result: TraceReplay.Result) -> String {
        let r = result.report
        var out = "replay (\(r.mode)): "
        if let divergence = r.divergence {
            out += "DIVERGED after \(r.eventsCompared) matching events of \(r.recordedEvents)\n"
            out += divergence.description + "\n"
        } else if r.mode == "fork" {
            out += "forked; the new run has \(r.eventsCompared) events\n"
        } else {
            out += "\(r.eventsCompared) of \(r.recordedEvents) events match\n"
        }
        for difference in r.toolDifferences {
            out += "tool result differs: " + difference.description + "\n"
        }
        if let error = r.runError { out += "the replayed run failed: \(error)\n" }
        if let torn = r.tornLine { out += "note: line \(torn) of the trace is torn (the run was killed while writing it)\n" }
        if let answer = r.answer {
            out += r.recordedAnswer == answer ? "answer (identical): \(answer)\n" : "answer: \(answer)\nrecorded answer: \(r.recordedAnswer ?? "none")\n"
        }
        if let fork = result.forkPath { out += "new trace: \(fork)\n" }
        out += String(format: "replay time: %.1f ms\n", r.seconds * 1000)
        return out
    }

    /// The report as indented JSON (plus the fork's path).
    public static func json(_ result: TraceReplay.Result) -> String {
        struct Output: Encodable {
            var report: ReplayReport
            var fork: String?
            enum CodingKeys: String, CodingKey { case report, fork = "fork_trace" }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Output(report: result.report, fork: result.forkPath))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
