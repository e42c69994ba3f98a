import AgentCore

/// Checks a plan before anything runs: unique ids, allowed tools, resolvable references, no cycles,
/// arguments that fit the tool's schema. References become explicit dependencies.
enum PlanValidation {
    /// The validated plan, or the first problem found.
    ///
    /// - Parameters:
    ///   - completed: ids of steps that already succeeded in an earlier round (referable, not reusable).
    static func validate(_ plan: Plan, catalog: ToolCatalog, completed: Set<String>) throws(PlanProblem) -> Plan {
        var seen = Set<String>()
        for step in plan.steps {
            if step.id.isEmpty || completed.contains(step.id) || !seen.insert(step.id).inserted {
                throw .duplicateID(id: step.id)
            }
        }
        var steps: [Plan.Step] = []
        for var step in plan.steps {
            guard let spec = catalog.tool(named: step.tool) else { throw .unknownTool(step: step.id, tool: step.tool) }
            step.tool = spec.name
            var dependencies: [String] = []
            for id in step.dependsOn + References.ids(in: step.arguments) where !dependencies.contains(id) {
                guard seen.contains(id) || completed.contains(id) else {
                    throw .unresolvedReference(step: step.id, reference: id)
                }
                dependencies.append(id)
            }
            step.dependsOn = dependencies
            let problems = ArgumentCheck.problems(step.arguments, schema: spec.inputSchema)
            if !problems.isEmpty { throw .badArguments(step: step.id, problems: problems) }
            steps.append(step)
        }
        if let path = cycle(in: steps) { throw .cycle(path: path) }
        return Plan(steps: steps)
    }

    /// A dependency cycle among `steps` (ids along it, first id repeated at the end), if any.
    static func cycle(in steps: [Plan.Step]) -> [String]? {
        let edges = Dictionary(steps.map { ($0.id, $0.dependsOn) }, uniquingKeysWith: { first, _ in first })
        var state: [String: Int] = [:]  // 1 = on the current path, 2 = done
        var path: [String] = []
        func visit(_ id: String) -> [String]? {
            if state[id] == 2 { return nil }
            if state[id] == 1, let start = path.firstIndex(of: id) { return Array(path[start...]) + [id] }
            state[id] = 1
            path.append(id)
            for next in edges[id] ?? [] where edges[next] != nil {
                if let found = visit(next) { return found }
            }
            path.removeLast()
            state[id] = 2
            return nil
        }
        for step in steps { if let found = visit(step.id) { return found } }
        return nil
    }
}
