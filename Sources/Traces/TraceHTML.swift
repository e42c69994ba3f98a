import AgentCore
import Foundation

/// Renders a trace as one self-contained HTML page (inline CSS and a few lines of script, no external
/// resources): the run's budgets, a timeline with one row per model call (split into prefill,
/// generation and the constraint's share of generation) and per tool call (its duration, failed calls
/// in red), the plan as a graph of steps and references, a table of the tool calls with their results,
/// and the transcript. For a replay, the first divergence is named at the top and its row highlighted.
public enum TraceHTML {
    struct Bar {
        /// Index of the record the bar draws.
        var record: Int
        var label: String
        var kind: String
        var start: Double
        /// Segments of the bar: (class, seconds).
        var segments: [(String, Double)]
        var detail: String
        var duration: Double { segments.reduce(0) { $0 + $1.1 } }
    }

    /// The page for `trace`; `divergence` (from a replay) is highlighted when given.
    public static func render(_ trace: TraceFile, divergence: Divergence? = nil) -> String {
        let bars = timeline(trace)
        let total = max(bars.map { $0.start + $0.duration }.max() ?? 0, trace.records.last?.elapsed ?? 0, 0.001)
        let h = trace.header
        let divergedRecord = divergence.map { $0.line - 2 }
        var body = "<h1>Loom trace</h1>\n<p class=meta>\(escape(h.question))</p>\n"
        body += "<p class=meta>agent <b>\(escape(h.agent.name))</b> (\(h.agent.strategy.rawValue)) · model <b>\(escape(h.model.name))</b>"
        body += " · seed \(h.agent.sampling.seed) · started \(escape(h.startedAt)) · Loom \(escape(h.loomVersion))</p>\n"
        if let divergence {
            body += "<div class=divergence id=divergence><b>Replay diverged</b> at line \(divergence.line), "
                + "\(escape(divergence.event)): \(escape(divergence.field)) differs"
                + "<br>recorded: <code>\(escape(String(divergence.recorded.prefix(300))))</code>"
                + "<br>now: <code>\(escape(String(divergence.now.prefix(300))))</code></div>\n"
        }
        body += budgets(trace)
        body += "<h2>Timeline <span class=meta>(\(TraceText.format(total)) s)</span></h2>\n<div class=timeline>\n"
        for bar in bars {
            let left = bar.start / total * 100
            let diverged = bar.record == divergedRecord ? " diverged" : ""
            body += "<div class='row\(diverged)' data-detail='\(escape(bar.detail))' tabindex=0>"
            body += "<div class=label>\(escape(bar.label))</div><div class=track>"
            var offset = left
            for (kind, seconds) in bar.segments {
                let width = max(seconds / total * 100, 0.3)
                body += "<div class='bar \(kind)' style='left:\(percent(offset));width:\(percent(width))'></div>"
                offset += width
            }
            body += "<span class=time style='left:\(percent(min(offset, 88)))'>\(TraceText.format(bar.duration)) s</span></div></div>\n"
        }
        body += "</div>\n<p class=legend><span class='key prefill'></span>prompt (prefill) <span class='key generate'></span>generation "
        body += "<span class='key constraint'></span>constraint <span class='key tool'></span>tool call "
        body += "<span class='key failed'></span>failed tool call</p>\n<pre id=detail class=detail>Select a row to see its details.</pre>\n"
        let failed = Set(trace.records.compactMap { record -> String? in
            if case .toolCall(let call, let result) = record.event, result.isError { return call.id }
            return nil
        })
        body += "<h2>Plan</h2>\n<div class=graph>\(TracePlanGraph.svg(TracePlanGraph.steps(trace), failed: failed))</div>\n"
        body += toolTable(trace, divergedRecord: divergedRecord)
        body += "<h2>Transcript</h2>\n<pre>\(escape(TraceText.render(trace)))</pre>\n"
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>Loom trace</title><style>
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
            h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:20px 0 8px} .meta{color:#666}
            .timeline{border:1px solid #ddd;border-radius:6px;padding:8px}
            .row{display:flex;align-items:center;height:24px;cursor:pointer} .row:hover,.row.selected{background:#eef3fb}
            .row.diverged{outline:2px solid #d9534f;background:#fbeaea}
            .label{width:240px;font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
            .track{position:relative;flex:1;height:16px;background:#f6f6f6}
            .bar{position:absolute;top:0;height:16px}
            .time{position:absolute;top:0;font-size:11px;padding-left:4px;color:#444}
            .prefill{background:#9bb7ef} .generate{background:#3f6fd8} .constraint{background:#e8a33d}
            .tool{background:#43a36b} .failed{background:#d9534f}
            .key{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
            .budgets td{padding:2px 10px 2px 0} .meter{width:240px;height:10px;background:#eee;border-radius:5px;overflow:hidden}
            .meter div{height:10px;background:#43a36b} .meter div.over{background:#d9534f}
            .divergence{border:2px solid #d9534f;background:#fbeaea;border-radius:6px;padding:8px;margin:12px 0}
            .graph{overflow-x:auto;border:1px solid #ddd;border-radius:6px;padding:4px}
            svg.plan rect{fill:#eef3fb;stroke:#5b8def} svg.plan .replan rect{fill:#fff7e6;stroke:#e8a33d}
            svg.plan .failed rect{fill:#fbeaea;stroke:#d9534f} svg.plan text{font:12px system-ui,sans-serif}
            svg.plan text.args{fill:#555;font-family:monospace;font-size:11px}
            table.calls{border-collapse:collapse;width:100%;font-size:12px} table.calls td,table.calls th{border:1px solid #ddd;padding:4px;vertical-align:top;text-align:left}
            table.calls tr.error td{background:#fbeaea} table.calls tr.diverged td{outline:2px solid #d9534f}
            pre{background:#fafafa;border:1px solid #eee;padding:12px;font-size:12px;white-space:pre-wrap}
            </style></head><body>
            \(body)<script>
            document.querySelectorAll('.row').forEach(function (row) {
              row.addEventListener('click', function () {
                document.querySelectorAll('.row.selected').forEach(function (r) { r.classList.remove('selected'); });
                row.classList.add('selected');
                document.getElementById('detail').textContent = row.dataset.detail;
              });
            });
            document.body.dataset.ready = 'steps:' + document.querySelectorAll('svg.plan .node').length
              + ' rows:' + document.querySelectorAll('.row').length;
            </script></body></html>

            """
    }

    /// The budgets table: steps, generated tokens and wall time used against the agent's limits.
    static func budgets(_ trace: TraceFile) -> String {
        let limits = trace.header.agent.limits
        var steps = 0, tokens = 0, seconds = trace.records.last?.elapsed ?? 0, replans = 0
        for record in trace.records {
            switch record.event {
            case .toolCall: steps += 1
            case .modelCall(let call): tokens += call.completion.generatedTokens.count
            case .plan(_, let replan): if replan { replans += 1 }
            case .summary(_, _, _, let total): seconds = total
            default: break
            }
        }
        func row(_ name: String, _ used: Double, _ limit: Double, _ unit: String) -> String {
            let share = limit > 0 ? min(used / limit, 1) : 0
            let over = used >= limit && limit > 0 ? " class=over" : ""
            let shown = { (value: Double) in unit.isEmpty ? String(Int(value)) : TraceText.format(value) }
            return "<tr><td>\(name)</td><td>\(shown(used))\(unit) of \(shown(limit))\(unit)</td>"
                + "<td><div class=meter><div\(over) style='width:\(percent(share * 100))'></div></div></td></tr>"
        }
        return "<h2>Budgets</h2>\n<table class=budgets>"
            + row("tool calls", Double(steps), Double(limits.maxSteps), "")
            + row("generated tokens", Double(tokens), Double(limits.maxTokens), "")
            + row("wall time", seconds, limits.wallSeconds, " s")
            + row("follow-up plans", Double(replans), Double(limits.maxReplans), "")
            + "</table>\n"
    }

    /// A table of the tool calls: step, tool, arguments, duration and the result the model read.
    static func toolTable(_ trace: TraceFile, divergedRecord: Int?) -> String {
        var rows = ""
        for (index, record) in trace.records.enumerated() {
            guard case .toolCall(let call, let result) = record.event else { continue }
            let classes = [result.isError ? "error" : nil, index == divergedRecord ? "diverged" : nil].compactMap { $0 }
            rows += "<tr class='\(classes.joined(separator: " "))'><td>\(escape(call.id))</td><td>\(escape(result.plugin)).\(escape(call.name))</td>"
                + "<td><code>\(escape(String(call.arguments.compactText.prefix(300))))</code></td>"
                + "<td>\(TraceText.format(result.durationSeconds)) s</td>"
                + "<td>\(escape(String(result.content.prefix(400))))\(result.content.count > 400 ? "…" : "")</td></tr>\n"
        }
        guard !rows.isEmpty else { return "" }
        return "<h2>Tool calls</h2>\n<table class=calls><tr><th>step</th><th>tool</th><th>arguments</th><th>time</th>"
            + "<th>result</th></tr>\n\(rows)</table>\n"
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
                let mask = min(c.maskSeconds ?? 0, c.generateSeconds)
                let duration = c.promptSeconds + c.generateSeconds
                bars.append(Bar(record: index, label: "model \(modelCalls) · \(call.purpose)", kind: "model",
                                start: max(record.elapsed - duration, 0),
                                segments: [("prefill", c.promptSeconds), ("generate", c.generateSeconds - mask), ("constraint", mask)],
                                detail: "model call \(modelCalls) (\(call.purpose)): \(c.costSummary)\n\n\(String(c.text.prefix(2000)))"))
            case .toolCall(let call, let result):
                var first = index
                while first > 0, case .toolCall = records[first - 1].event { first -= 1 }
                var last = index
                while last + 1 < records.count, case .toolCall = records[last + 1].event { last += 1 }
                let wave = records[first...last].filter { abs($0.elapsed - record.elapsed) < 0.002 }
                let longest = wave.map { r -> Double in
                    if case .toolCall(_, let res) = r.event { return res.durationSeconds } else { return 0 }
                }.max() ?? result.durationSeconds
                bars.append(Bar(record: index, label: "\(call.id) · \(result.plugin).\(call.name)",
                                kind: result.isError ? "failed" : "tool", start: max(record.elapsed - longest, 0),
                                segments: [(result.isError ? "failed" : "tool", result.durationSeconds)],
                                detail: "\(call.id) \(result.plugin).\(call.name) \(call.arguments.compactText)\n\n"
                                    + String(result.content.prefix(2000))))
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
