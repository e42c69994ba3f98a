import Foundation
import AgentCore

/// A plan written by the model: steps with ids, tools, arguments and dependencies.
///
/// On the wire: `{"steps": [{"id": "s1", "tool": "evaluate", "arguments": {…}, "depends_on": []}, …]}`.
/// An argument may insert an earlier step's result with `"{{s1}}"` (alone or inside a string) or
/// `{"$ref": "s1"}`; a referenced step is an implicit dependency.
public struct Plan: Sendable, Hashable {
    /// One step: a single tool call.
    public struct Step: Sendable, Hashable {
        /// Unique id within the run (e.g. `s1`).
        public var id: String
        /// The tool's name.
        public var tool: String
        /// The arguments object, possibly with references.
        public var arguments: JSONValue
        /// Ids of steps that must finish first (declared plus referenced).
        public var dependsOn: [String]

        /// Creates a step.
        public init(id: String, tool: String, arguments: JSONValue, dependsOn: [String] = []) {
            self.id = id
            self.tool = tool
            self.arguments = arguments
            self.dependsOn = dependsOn
        }

        /// The step as JSON, in the wire format.
        public var json: JSONValue {
            ["id": .string(id), "tool": .string(tool), "arguments": arguments,
             "depends_on": .array(dependsOn.map { .string($0) })]
        }
    }

    /// The steps in the order the model wrote them.
    public var steps: [Step]

    /// Creates a plan.
    public init(steps: [Step]) { self.steps = steps }

    /// The plan as JSON, in the wire format.
    public var json: JSONValue { ["steps": .array(steps.map(\.json))] }

    /// The plan with every step whose id is in `used` (steps of earlier rounds) given a fresh id `sN`.
    /// Small models number each follow-up plan from `s1` again. References to a renamed id from later
    /// steps of this plan follow the step; those from the step itself or earlier ones still mean the
    /// earlier round's result.
    func renumbered(avoiding used: Set<String>) -> Plan {
        var taken = used.union(steps.map(\.id))
        var next = 1
        var renamed: [String: String] = [:]
        var result: [Step] = []
        for var step in steps {
            for (old, new) in renamed {
                step.arguments = References.rename(old, to: new, in: step.arguments)
                step.dependsOn = step.dependsOn.map { $0 == old ? new : $0 }
            }
            if used.contains(step.id) {
                while taken.contains("s\(next)") { next += 1 }
                let fresh = "s\(next)"
                taken.insert(fresh)
                renamed[step.id] = fresh
                step.id = fresh
            }
            result.append(step)
        }
        return Plan(steps: result)
    }

    /// Parses model output into a plan; a problem is the model's mistake, reported as `PlanProblem`.
    public static func parse(_ text: String) throws(PlanProblem) -> Plan {
        let value: JSONValue
        do { value = try JSONValue.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
            throw .unparseable(excerpt: String(text.prefix(200)))
        }
        let list: [JSONValue]
        if let steps = value["steps"]?.arrayValue { list = steps } else if let steps = value.arrayValue { list = steps } else {
            throw .notAPlan(reason: "expected an object with a \"steps\" array")
        }
        var steps: [Step] = []
        for (index, item) in list.enumerated() {
            guard case .object(let fields) = item else { throw .notAPlan(reason: "step \(index + 1) is not an object") }
            let id = fields["id"]?.stringValue ?? fields["id"]?.intValue.map { "s\($0)" } ?? "s\(index + 1)"
            guard let tool = fields["tool"]?.stringValue else {
                throw .notAPlan(reason: "step \(id) has no \"tool\" name")
            }
            let arguments = fields["arguments"] ?? .object([:])
            guard case .object = arguments else { throw .badArguments(step: id, problems: ["arguments must be an object"]) }
            let declared = (fields["depends_on"]?.arrayValue ?? []).compactMap { $0.stringValue ?? $0.intValue.map { "s\($0)" } }
            steps.append(Step(id: id, tool: tool, arguments: arguments, dependsOn: declared))
        }
        return Plan(steps: steps)
    }
}

/// What is wrong with a plan; fed back to the model so it can write a better one.
public enum PlanProblem: Error, Hashable, Sendable, CustomStringConvertible {
    /// The output is not JSON.
    case unparseable(excerpt: String)
    /// The JSON is not shaped like a plan.
    case notAPlan(reason: String)
    /// Two steps share an id (or a new step reuses an earlier one's id).
    case duplicateID(id: String)
    /// A step names a tool that is not allowed.
    case unknownTool(step: String, tool: String)
    /// A step depends on or references a step that does not exist.
    case unresolvedReference(step: String, reference: String)
    /// The dependencies form a cycle (the ids along it).
    case cycle(path: [String])
    /// A step's arguments do not match its tool's schema.
    case badArguments(step: String, problems: [String])
    /// More steps than the remaining budget allows.
    case tooManySteps(count: Int, limit: Int)

    public var description: String {
        switch self {
        case .unparseable(let excerpt): return "the plan is not valid JSON: \(excerpt)"
        case .notAPlan(let reason): return "the output is not a plan: \(reason)"
        case .duplicateID(let id): return "step id \(id) is used more than once"
        case .unknownTool(let step, let tool): return "step \(step) uses unknown tool '\(tool)'"
        case .unresolvedReference(let step, let reference):
            return "step \(step) refers to \(reference), which is not an earlier or completed step"
        case .cycle(let path): return "the steps depend on each other in a cycle: \(path.joined(separator: " → "))"
        case .badArguments(let step, let problems): return "step \(step) has bad arguments: \(problems.joined(separator: "; "))"
        case .tooManySteps(let count, let limit): return "the plan has \(count) steps but only \(limit) may run"
        }
    }
}
