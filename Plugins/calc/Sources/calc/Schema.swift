import MCP

/// Builds the JSON Schemas of the tools' arguments.
enum Schema {
    /// An object schema with the given properties (in order) and required names.
    static func object(_ properties: [(String, Value)], required: [String]) -> Value {
        .object([
            "type": "object",
            "properties": .object(Dictionary(uniqueKeysWithValues: properties)),
            "required": .array(required.map { .string($0) }),
            "additionalProperties": false,
        ])
    }

    /// A string property.
    static func string(_ description: String) -> Value {
        .object(["type": "string", "description": .string(description)])
    }

    /// An integer property with bounds.
    static func integer(_ description: String, minimum: Int, maximum: Int) -> Value {
        .object(["type": "integer", "description": .string(description),
                 "minimum": .int(minimum), "maximum": .int(maximum)])
    }

    /// A string property restricted to `values`.
    static func choice(_ description: String, _ values: [String]) -> Value {
        .object(["type": "string", "description": .string(description), "enum": .array(values.map { .string($0) })])
    }
}
