import AgentCore
import Foundation

/// Renders a trace as one self-contained HTML page (inline CSS, no scripts, no external resources):
/// a timeline with one bar per model call and tool call, placed by start time and sized by duration,
/// followed by the plan, the calls' details and the answer.
public enum TraceHTML {
    struct Bar {
        var label: String
        var kind: String
        var start: Double
        var duration: Double
        var detail: String
    }

    /// The page for `trace`.
    public static func render(_ trace: TraceFile) -> String {
        let bars = timeline(trace)
        let total = max(bars.map { $0.start + $0.duration }.max() ?? 0, trace.records.last?.elapsed ?? 0, 0.001)
        let h = trace.header
        var body = "<h1>Loom trace</h1>\n<p class=meta>\(escape(h.question))</p>\n"
        body += "<p class=meta>agent <b>\(escape(h.agent.name))</b> (\(h.agent.strategy.rawValue)) · model <b>\(escape(h.model.name))</b>"
        body += " · seed \(h.agent.sampling.seed) · started \(escape(h.startedAt)) · Loom \(escape(h.loomVersion))</p>\n"
        body += "<h2>Timeline <span class=meta>(\(TraceText.format(total)) s)</span></h2>\n<div class=timeline>\n"
        for bar in bars {
            let left = bar.start / total * 100, width = max(bar.duration / total * 100, 0.4)
            body += "<div class=row><div class=label>\(escape(bar.label))</div><div class=track>"
            body += "<div class='bar \(bar.kind)' style='left:\(percent(left));width:\(percent(width))' "
            body += "title='\(escape(bar.detail))'></div><span class=time style='left:\(percent(min(left + width, 88)))'>"
            body += "\(TraceText.format(bar.duration)) s</span></div></div>\n"
        }
        body += "</div>\n<p class=legend><span class='key model'></span>model call <span class='key tool'></span>tool call "
        body += "<span class='key failed'></span>failed tool call</p>\n"
        body += "<h2>Transcript</h2>\n<pre>\(escape(TraceText.render(trace)))</pre>\n"
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>Loom trace</title><style>
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
            h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:20px 0 8px} .meta{color:#666}
            .timeline{border:1px solid #ddd;border-radius:6px;padding:8px}
            .row{display:flex;align-items:center;height:24px}
            .label{width:240px;font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
            .track{position:relative;flex:1;height:16px;background:#f6f6f6}
            .bar{position:absolute;top:0;height:16px;border-radius:3px}
            .time{position:absolute;top:0;font-size:11px;padding-left:4px;color:#444}
            .model{background:#5b8def} .tool{background:#43a36b} .failed{background:#d9534f}
            .key{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
            pre{background:#fafafa;border:1px solid #eee;padding:12px;font-size:12px;white-space:pre-wrap}
            </style></head><body>
            \(body)</body></html>

            """
    }

    /// Bars for the timeline. An event is recorded when it ends, so a model call starts at
    /// `t - duration`; tool calls of one wave run together and are recorded together when the slowest
    /// ends, so they all start at `t - (longest duration of the wave)`.
    static func timeline(_ trace: TraceFile) -> [Bar] {
        var bars: [Bar] = []
        var modelCalls = 0
        let records = trace.records
        for (index, record) in records.enumerated() {
            switch record.event {
            case .modelCall(let call):
                modelCalls += 1
                let c = call.completion
                let duration = c.promptSeconds + c.generateSeconds
                bars.append(Bar(label: "model \(modelCalls) · \(call.purpose)", kind: "model",
                                start: max(record.elapsed - duration, 0), duration: duration,
                                detail: c.costSummary))
            case .toolCall(let call, let result):
                var first = index
                while first > 0, case .toolCall = records[first - 1].event { first -= 1 }
                var last = index
                while last + 1 < records.count, case .toolCall = records[last + 1].event { last += 1 }
                let wave = records[first...last].filter { abs($0.elapsed - record.elapsed) < 0.002 }
                let longest = wave.map { r -> Double in
                    if case .toolCall(_, let res) = r.event { return res.durationSeconds } else { return 0 }
                }.max() ?? result.durationSeconds
                bars.append(Bar(label: "\(call.id) · \(result.plugin).\(call.name)", kind: result.isError ? "failed" : "tool",
                                start: max(record.elapsed - longest, 0), duration: result.durationSeconds,
                                detail: call.arguments.compactText))
            default: break
            }
        }
        return bars
    }

    static func percent(_ value: Double) -> String { String(format: "%.2f%%", value) }

    /// Escapes text for HTML content and single- or double-quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
