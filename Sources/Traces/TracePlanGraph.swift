import AgentCore

/// Draws a run's plans as one SVG graph: a node per step (id, tool, arguments), an arrow from each step
/// to the steps whose results it uses (`depends_on` and `{{sN}}` references in its arguments), steps
/// placed in columns by depth so that every arrow points right. Steps of re-plans join the same graph.
enum TracePlanGraph {
    /// One step of a recorded plan.
    struct Step: Equatable {
        var id: String
        var tool: String
        var arguments: String
        var uses: [String]
        var replan: Bool
    }

    /// The steps of every `plan` event, in order, duplicates (same id) kept once.
    static func steps(_ trace: TraceFile) -> [Step] {
        var steps: [Step] = []
        for record in trace.records {
            guard case .plan(let plan, let replan) = record.event else { continue }
            for item in plan["steps"]?.arrayValue ?? [] {
                guard let id = item["id"]?.stringValue, !steps.contains(where: { $0.id == id }) else { continue }
                let arguments = item["arguments"] ?? .null
                var uses = (item["depends_on"]?.arrayValue ?? []).compactMap(\.stringValue)
                for reference in references(in: arguments.compactText) where !uses.contains(reference) { uses.append(reference) }
                steps.append(Step(id: id, tool: item["tool"]?.stringValue ?? "?", arguments: arguments.compactText,
                                  uses: uses, replan: replan))
            }
        }
        return steps
    }

    /// Step ids referenced as `{{id}}` in `text`.
    static func references(in text: String) -> [String] {
        text.components(separatedBy: "{{").dropFirst().compactMap { rest in
            guard let end = rest.range(of: "}}") else { return nil }
            let id = String(rest[..<end.lowerBound])
            return id.isEmpty || id.count > 32 ? nil : id
        }
    }

    /// The SVG, or a sentence when the run made no plan.
    static func svg(_ steps: [Step], failed: Set<String>) -> String {
        guard !steps.isEmpty else { return "<p class=meta>This run made no plan (ReAct, or no steps).</p>" }
        var depth: [String: Int] = [:]
        for step in steps {
            depth[step.id] = (step.uses.compactMap { depth[$0] }.max() ?? -1) + 1
        }
        var row: [Int: Int] = [:]
        var position: [String: (x: Int, y: Int)] = [:]
        let width = 210, height = 54, gapX = 60, gapY = 18
        for step in steps {
            let column = depth[step.id] ?? 0
            let index = row[column, default: 0]
            row[column] = index + 1
            position[step.id] = (20 + column * (width + gapX), 20 + index * (height + gapY))
        }
        let totalWidth = 40 + ((depth.values.max() ?? 0) + 1) * (width + gapX)
        let totalHeight = 40 + (row.values.max() ?? 1) * (height + gapY)
        var svg = "<svg class=plan width='\(totalWidth)' height='\(totalHeight)' "
            + "viewBox='0 0 \(totalWidth) \(totalHeight)' role='img' aria-label='plan graph'>"
        svg += "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='8' markerHeight='8' orient='auto'>"
            + "<path d='M0,0 L10,5 L0,10 z' fill='#888'/></marker></defs>"
        for step in steps {
            guard let to = position[step.id] else { continue }
            for used in step.uses {
                guard let from = position[used] else { continue }
                svg += "<line x1='\(from.x + width)' y1='\(from.y + height / 2)' x2='\(to.x)' y2='\(to.y + height / 2)' "
                    + "stroke='#888' stroke-width='1.5' marker-end='url(#arrow)'/>"
            }
        }
        for step in steps {
            guard let at = position[step.id] else { continue }
            let kind = failed.contains(step.id) ? "failed" : step.replan ? "replan" : "step"
            svg += "<g class='node \(kind)' data-step='\(TraceHTML.escape(step.id))'>"
                + "<rect x='\(at.x)' y='\(at.y)' width='\(width)' height='\(height)' rx='6'/>"
                + "<text x='\(at.x + 8)' y='\(at.y + 20)' class=title>\(TraceHTML.escape(step.id)) · \(TraceHTML.escape(step.tool))</text>"
                + "<text x='\(at.x + 8)' y='\(at.y + 40)' class=args>\(TraceHTML.escape(String(step.arguments.prefix(30))))"
                + "\(step.arguments.count > 30 ? "…" : "")</text>"
                + "<title>\(TraceHTML.escape(step.arguments))</title></g>"
        }
        return svg + "</svg>"
    }
}
