import AgentCore

/// Builds the JSON Schema a plan is generated under, so the model's plan always parses.
///
/// Each step is one branch of an `anyOf`, one per tool: the tool name is fixed by an `enum` and the
/// arguments follow that tool's own schema, with non-string arguments also allowed as a string so that
/// a `"{{s1}}"` reference can stand in for them. Dependencies are not generated: they follow from the
/// references (small models fill a free `depends_on` list with cycles and guesses).
public enum PlanSchema {
    /// The plan schema for these tools, with at most `maxSteps` steps. With `remaining`, the plan also
    /// carries a required `"remaining"` text: after results are in, the model first writes what the
    /// question still asks for, then the steps (small models otherwise stop after the first step).
    /// With `minSteps`, the plan must have at least that many steps. With `parts`, the plan first lists
    /// the parts of the question (`"parts"`, one short phrase each): a small model that has written
    /// "then subtract the loose ones" as a part plans a step for it, where otherwise it often plans the
    /// first part only and later judges that nothing remains. With `thought`, the plan opens with a free
    /// `"thought"` text (reasoning before the constrained parts and steps).
    public static func schema(for catalog: ToolCatalog, maxSteps: Int, remaining: Bool = false,
                              minSteps: Int = 0, parts: Bool = false, thought: Bool = false) -> JSONValue {
        let branches: [JSONValue] = catalog.tools.map { tool in
            .object([
                "type": "object",
                "properties": .object([
                    "id": ["type": "string"],
                    "tool": ["type": "string", "enum": .array([.string(tool.name)])],
                    "arguments": referable(tool.inputSchema),
                ]),
                "required": ["id", "tool", "arguments"],
                "additionalProperties": false,
            ])
        }
        var steps: [String: JSONValue] = [
            "type": "array",
            "items": branches.count == 1 ? branches[0] : .object(["anyOf": .array(branches)]),
            "maxItems": .int(max(maxSteps, 0)),
        ]
        if minSteps > 0 { steps["minItems"] = .int(min(minSteps, max(maxSteps, 0))) }
        var properties: [String: JSONValue] = ["steps": .object(steps)]
        var order: [String] = []
        if thought {
            order.append("thought")
            properties["thought"] = ["type": "string"]
        }
        if parts {
            order.append("parts")
            properties["parts"] = ["type": "array", "items": ["type": "string"], "minItems": 1, "maxItems": .int(maxParts)]
        }
        if remaining {
            order.append("remaining")
            properties["remaining"] = ["type": "string"]
        }
        order.append("steps")
        var plan: [String: JSONValue] = [
            "type": "object",
            "properties": .object(properties),
            "required": .array(order.map { .string($0) }),
            "additionalProperties": false,
        ]
        // Parts and what is left are said before the steps, or saying them would not shape them.
        if order.count > 1 { plan["propertyOrder"] = .array(order.map { .string($0) }) }
        return .object(plan)
    }

    /// Most parts a plan lists.
    public static let maxParts = 6

    /// The parts listed by a plan's text (`{"parts": [...], ...}`), if any.
    public static func parts(in text: String) -> [String] {
        guard let value = try? JSONValue.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let list = value["parts"]?.arrayValue else { return [] }
        return list.compactMap { $0.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// The tool's argument schema with each non-string property also accepting a reference string.
    static func referable(_ schema: JSONValue) -> JSONValue {
        guard case .object(var rules) = schema, case .object(let properties)? = rules["properties"] else {
            return schema
        }
        rules["properties"] = .object(properties.mapValues { property in
            if property["type"]?.stringValue == "string" { return property }
            return ["anyOf": [property, ["type": "string"]]]
        })
        return .object(rules)
    }
}
