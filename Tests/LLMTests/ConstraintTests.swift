import AgentCore
import Foundation
@testable import LLM
import XCTest

/// The JSON-Schema constraint: valid outputs accepted, invalid continuations rejected, and random walks
/// through allowed bytes always end in JSON that parses and validates.
final class ConstraintTests: XCTestCase {
    private func constraint(_ schema: JSONValue) -> JSONConstraint { JSONConstraint(schema: JSONSchema(schema)) }

    /// Whether the whole text is accepted and complete.
    private func complete(_ schema: JSONValue, _ text: String) -> Bool {
        var c = constraint(schema)
        return c.advance(Array(text.utf8)) && c.isComplete
    }

    /// The length of the longest accepted prefix.
    private func acceptedPrefix(_ schema: JSONValue, _ text: String) -> Int {
        var c = constraint(schema)
        for (i, byte) in text.utf8.enumerated() where !c.advance([byte]) { return i }
        return text.utf8.count
    }

    private let toolArguments: JSONValue = [
        "type": "object",
        "properties": ["expression": ["type": "string", "description": "what to compute"], "digits": ["type": "integer"]],
        "required": ["expression"],
    ]

    func testToolArgumentsObject() {
        for valid in [#"{"expression":"2+2"}"#, #"{"expression": "2+2", "digits": 5}"#, #"{"digits":5,"expression":"x"}"#, #"{"expression":"a\"b\\n\u00e9 é"}"#,
                      #"{"expression":"x","digits":-12}"#] {
            XCTAssertTrue(complete(toolArguments, valid), valid)
        }
        let invalid: [(String, Int)] = [
            (#"{"digits":5}"#, 11),                // the required property is missing
            (#"{"expression":2}"#, 14),            // wrong type
            (#"{"expression":"x","other":1}"#, 19), // unknown property
            (#"{ "expression":"x"}"#, 1),          // no space after {
            (#"{"expression" :"x"}"#, 13),         // no space before :
            (#"{"expression":  "x"}"#, 15),        // at most one space
            (#"{"expression":"x",}"#, 18),
            (#"{"expression":"x"}}"#, 18),
            (#"{"expression":"x","digits":1.5}"#, 28),
            (#"{"expression":"x","digits":01}"#, 28),
            (#"{}"#, 1),                           // required property missing
        ]
        for (text, prefix) in invalid {
            XCTAssertEqual(acceptedPrefix(toolArguments, text), prefix, text)
        }
        var c = constraint(toolArguments)
        XCTAssertTrue(c.advance(Array(#"{"expression":"x""#.utf8)))
        XCTAssertFalse(c.isComplete)
        XCTAssertTrue(c.advance([0x7D]))
        XCTAssertTrue(c.isComplete)
        XCTAssertFalse(c.canContinue)
    }

    func testShortestCompletionClosesWhatIsOpen() {
        func completion(_ schema: JSONValue, after text: String) -> String? {
            var c = constraint(schema)
            XCTAssertTrue(c.advance(Array(text.utf8)), text)
            guard let bytes = c.shortestCompletion() else { return nil }
            XCTAssertTrue(c.advance(bytes) && c.isComplete, text + String(decoding: bytes, as: UTF8.self))
            return String(decoding: bytes, as: UTF8.self)
        }
        XCTAssertEqual(completion(toolArguments, after: #"{"expression":"0.2020333333"#), #""}"#)
        XCTAssertEqual(completion(toolArguments, after: #"{"expr"#), #"ession":""}"#)
        XCTAssertEqual(completion(toolArguments, after: #"{"digits":5"#), #","expression":""}"#)
        XCTAssertEqual(completion(toolArguments, after: #"{"expression":"x"}"#), "")
        let nested: JSONValue = ["type": "object", "properties": ["steps": ["type": "array", "items": toolArguments, "minItems": 1]],
                                 "required": ["steps"]]
        XCTAssertEqual(completion(nested, after: #"{"steps":[{"expression":"a\"#), #"""}]}"#)
    }

    func testPropertyOrderIsEnforced() {
        let ordered: JSONValue = [
            "type": "object",
            "properties": ["steps": ["type": "array"], "note": ["type": "string"], "remaining": ["type": "string"]],
            "required": ["remaining", "steps"],
            "propertyOrder": ["remaining", "note", "steps"],
        ]
        XCTAssertTrue(complete(ordered, #"{"remaining":"x","steps":[]}"#), "an optional property may be left out")
        XCTAssertTrue(complete(ordered, #"{"remaining":"x","note":"y","steps":[]}"#))
        XCTAssertEqual(acceptedPrefix(ordered, #"{"steps":[],"remaining":"x"}"#), 2, "steps may not come first")
        XCTAssertEqual(acceptedPrefix(ordered, #"{"remaining":"x","steps":[],"note":"y"}"#), 27, "nothing goes back")
        XCTAssertEqual(acceptedPrefix(ordered, #"{"note":"y","remaining":"x","steps":[]}"#), 2, "a required one is not skipped")
        let unordered: JSONValue = [
            "type": "object",
            "properties": ["steps": ["type": "array"], "note": ["type": "string"], "remaining": ["type": "string"]],
            "required": ["remaining", "steps"],
        ]
        XCTAssertTrue(complete(unordered, #"{"steps":[],"remaining":"x"}"#), "without propertyOrder, any order")
    }

    func testEnumsAndConst() {
        let unit: JSONValue = ["type": "string", "enum": ["celsius", "fahrenheit"]]
        XCTAssertTrue(complete(unit, #""celsius""#))
        XCTAssertFalse(complete(unit, #""cel""#))
        XCTAssertEqual(acceptedPrefix(unit, #""kelvin""#), 1)
        let mixed: JSONValue = ["enum": [1, 12, "a", nil, true]]
        for text in ["1", "12", #""a""#, "null", "true"] { XCTAssertTrue(complete(mixed, text), text) }
        XCTAssertEqual(acceptedPrefix(mixed, "13"), 1)
        XCTAssertTrue(complete(["const": "ls"], #""ls""#))
        XCTAssertFalse(complete(["const": "ls"], #""lsx""#))
        XCTAssertTrue(constraint(["enum": []]).accepts([]) && !constraint(["enum": []]).accepts(Array("1".utf8)))
    }

    func testNumbersBooleansNull() {
        for text in ["0", "-0.5e+3", "12.25", "1E9", "-7"] { XCTAssertTrue(complete(["type": "number"], text), text) }
        for text in ["01", "1.", "-", ".5", "1e", "+1"] { XCTAssertFalse(complete(["type": "number"], text), text) }
        XCTAssertTrue(complete(["type": "integer"], "-12"))
        XCTAssertEqual(acceptedPrefix(["type": "integer"], "1.5"), 1)
        XCTAssertEqual(acceptedPrefix(["type": "integer"], "1e3"), 1)
        var top = constraint(["type": "integer"])
        top.advance(Array("42".utf8))
        XCTAssertTrue(top.isComplete && top.canContinue, "a top-level number may still grow")
        XCTAssertTrue(complete(["type": "boolean"], "false"))
        XCTAssertFalse(complete(["type": "boolean"], "null"))
        XCTAssertTrue(complete(["type": "null"], "null"))
    }

    func testArrays() {
        let schema: JSONValue = ["type": "array", "items": ["type": "integer"], "minItems": 1, "maxItems": 2]
        XCTAssertFalse(complete(schema, "[]"))
        XCTAssertTrue(complete(schema, "[1]"))
        XCTAssertTrue(complete(schema, "[1, 2]"))
        XCTAssertEqual(acceptedPrefix(schema, "[1,2,3]"), 4)
        XCTAssertEqual(acceptedPrefix(schema, #"[1,"a"]"#), 3)
        XCTAssertTrue(complete(["type": "array"], #"[1,"a",[],{}]"#))
    }

    func testNestedObjectsAndAnyOf() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "name": ["const": "read_file"],
                "arguments": ["type": "object", "properties": ["path": ["type": "string"], "lines": ["anyOf": [["type": "integer"], ["type": "null"]]]],
                              "required": ["path"]],
            ],
            "required": ["name", "arguments"],
        ]
        // Properties in any order, each once.
        XCTAssertTrue(complete(schema, #"{"name": "read_file", "arguments": {"path": "/tmp/x", "lines": null}}"#))
        XCTAssertEqual(acceptedPrefix(schema, #"{"name":"read_file","name""#), 21, "a property only once")
        XCTAssertTrue(complete(schema, #"{"arguments":{"path":"/tmp/x","lines":3},"name":"read_file"}"#))
        XCTAssertFalse(complete(schema, #"{"arguments":{"path":"/tmp/x","lines":"3"},"name":"read_file"}"#))
        XCTAssertTrue(complete(["type": ["string", "null"]], "null"))
        XCTAssertTrue(complete(["oneOf": [["type": "string"], ["type": "boolean"]]], "true"))
        XCTAssertFalse(complete(["anyOf": [["type": "string"], ["type": "integer"]]], "true"))
    }

    func testFreeFormJSONAndStrings() {
        XCTAssertTrue(complete([:], #"{"a":[1,{"b":null}],"c":"d","e":-1.5e-3,"f":true}"#))
        XCTAssertTrue(complete(["type": "object"], #"{"x": {"y": [false]}}"#))
        XCTAssertFalse(complete([:], #"{"a" :1}"#))
        XCTAssertEqual(acceptedPrefix(["type": "string"], "\"a\u{1}\""), 2, "control characters must be escaped")
        XCTAssertEqual(acceptedPrefix(["type": "string"], #""\x""#), 2)
        XCTAssertTrue(complete(["type": "string"], #""\u00E9\n\/""#))
        var c = constraint(["type": "string"])
        XCTAssertFalse(c.advance([0x22, 0xC3, 0x28]), "invalid UTF-8 continuation")
        var d = constraint(["type": "string"])
        XCTAssertFalse(d.advance([0x22, 0xED, 0xA0, 0x80]), "a surrogate is not UTF-8")
    }

    // MARK: - Raw control characters in strings

    private let codeArguments: JSONValue = [
        "type": "object", "properties": ["code": ["type": "string"]], "required": ["code"],
    ]

    /// A model writing code into a string prefers tokens with real newlines and tabs: they are accepted
    /// inside strings (and escaped on output), nowhere else.
    func testRawNewlinesAndTabsAreAcceptedInsideStringsOnly() {
        XCTAssertTrue(complete(codeArguments, "{\"code\": \"def f(n):\n\treturn n\r\n\"}"))
        XCTAssertTrue(complete(["type": "string"], "\"\n\""))
        XCTAssertTrue(complete([:], "{\"a\nb\": [\"x\ty\"]}"), "keys of a free object are strings too")
        // Outside strings the constraint allows no whitespace but one space after `:` and `,`.
        XCTAssertEqual(acceptedPrefix(codeArguments, "\n{\"code\": \"x\"}"), 0)
        XCTAssertEqual(acceptedPrefix(codeArguments, "{\n\"code\": \"x\"}"), 1)
        XCTAssertEqual(acceptedPrefix(codeArguments, "{\"code\":\n\"x\"}"), 8)
        XCTAssertEqual(acceptedPrefix(codeArguments, "{\"code\": \"x\"\t}"), 12)
        XCTAssertEqual(acceptedPrefix(["type": "array", "items": ["type": "integer"]], "[1,\r2]"), 3)
        XCTAssertEqual(acceptedPrefix(["type": "integer"], "12\n"), 2)
        // Other control characters are still refused, and a backslash must start an escape.
        for byte: UInt8 in [0x00, 0x08, 0x0B, 0x0C, 0x1F] {
            XCTAssertEqual(acceptedPrefix(["type": "string"], String(decoding: [0x22, 0x61, byte, 0x22], as: UTF8.self)), 2,
                           "control character \(byte)")
        }
        XCTAssertEqual(acceptedPrefix(["type": "string"], "\"a\\\n\""), 3)
        XCTAssertEqual(acceptedPrefix(["type": "string"], "\"\\u00\n\""), 5)
        XCTAssertEqual(acceptedPrefix(["type": "string"], "\"\\ud83e\n\""), 7, "a high surrogate needs its low half first")
    }

    func testEscapedOutputIsJSONWithTheSameStrings() throws {
        let raw = "{\"code\": \"def f(n):\n\treturn n\r\n\", \"q\": \"a\\\"\n\\\\\t\"}"
        var c = constraint([:])
        XCTAssertTrue(c.advance(Array(raw.utf8)) && c.isComplete)
        XCTAssertThrowsError(try JSONValue.parse(raw), "raw control characters are not JSON")
        let escaped = JSONConstraint.RawControlEscaper.escape(raw)
        XCTAssertEqual(escaped, #"{"code": "def f(n):\n\treturn n\r\n", "q": "a\"\n\\\t"}"#)
        let value = try JSONValue.parse(escaped)
        XCTAssertEqual(value["code"], "def f(n):\n\treturn n\r\n")
        XCTAssertEqual(value["q"], "a\"\n\\\t")
        // Streamed in pieces cut anywhere (inside an escape too), the output is the same.
        let bytes = Array(raw.utf8)
        for cut in 0...bytes.count {
            var escaper = JSONConstraint.RawControlEscaper()
            let joined = escaper.escape(String(decoding: bytes[..<cut], as: UTF8.self))
                + escaper.escape(String(decoding: bytes[cut...], as: UTF8.self))
            XCTAssertEqual(joined, escaped, "cut at \(cut)")
        }
        // Whitespace around the value is not in a string and is left alone; output without raw control
        // characters in strings (all there was before they were allowed) is unchanged.
        XCTAssertEqual(JSONConstraint.RawControlEscaper.escape("\n[\"a\"]\n"), "\n[\"a\"]\n")
        for json in [#"{"expression":"a\"b\\n\u00e9 é"}"#, #"["\\", "\"", "x\ty"]"#, #"{"a":[1,{"b":null}],"c":"d"}"#] {
            XCTAssertEqual(JSONConstraint.RawControlEscaper.escape(json), json)
        }
    }

    // MARK: - Property test

    private let walkSchemas: [JSONValue] = [
        [:],
        ["type": "string", "enum": ["celsius", "fahrenheit", "kelvin"]],
        ["type": "array", "items": ["type": "number"], "maxItems": 4],
        ["type": "object", "properties": ["expression": ["type": "string"], "digits": ["type": "integer"], "exact": ["type": "boolean"]],
         "required": ["expression"]],
        ["type": "object", "properties": ["name": ["const": "ls"], "arguments": ["type": "object", "properties": ["path": ["type": "string"]]],
                                          "tags": ["type": "array", "items": ["anyOf": [["type": "string"], ["type": "null"]]]]],
         "required": ["name", "arguments"]],
        ["anyOf": [["type": "integer"], ["type": "object", "properties": ["k": ["enum": [1, 2, "x"]]], "required": ["k"]]]],
    ]

    /// Found by fuzz-schema: a lone UTF-16 surrogate escape (`\ud800`) was accepted, so constrained output
    /// could be a string no JSON parser reads. Surrogate escapes must come as high-then-low pairs.
    func testSurrogateEscapesComeInPairs() throws {
        let text: JSONValue = ["type": "string"]
        for valid in [#""\ud83e\udd99""#, #""\uD83E\uDD99x""#, #""\ud7ff\ue000\u0041""#] {
            XCTAssertTrue(complete(text, valid), valid)
            XCTAssertNotNil(try? JSONValue.parse(valid), valid)
        }
        XCTAssertEqual(acceptedPrefix(text, #""\ud800s""#), 7)        // a high surrogate, then no escape
        XCTAssertEqual(acceptedPrefix(text, #""\ud800\n""#), 8)      // then an escape that is not \u
        XCTAssertEqual(acceptedPrefix(text, #""\ud800\u0041""#), 9)  // then not a low surrogate
        XCTAssertEqual(acceptedPrefix(text, #""\udc00""#), 4)         // a low surrogate alone
        XCTAssertEqual(acceptedPrefix(text, #""\ud800""#), 7)         // the string cannot end after a high one
        var open = constraint(text)
        XCTAssertTrue(open.advance(Array(#""\udbff"#.utf8)))
        let completion = try XCTUnwrap(open.shortestCompletion())
        let completed = #""\udbff"# + String(decoding: completion, as: UTF8.self)
        XCTAssertNotNil(try? JSONValue.parse(completed), completed)
        // The input fuzz-schema found: its mutated schema (an unknown type) allows any value.
        XCTAssertEqual(acceptedPrefix(["type": "obje=ct"], #"{"name":"evaluate","argument\ud800s":1}"#), 34)
    }

    func testRandomWalksEndInValidJSON() throws {
        var rng = Xoshiro256StarStar(seed: 99)
        let closers = Array("\"}]0".utf8)
        for schema in walkSchemas {
            for walk in 0..<40 {
                var c = constraint(schema)
                var bytes: [UInt8] = []
                while bytes.count < 400 {
                    if c.isComplete && (!c.canContinue || rng.nextUnit() < 0.2) { break }
                    let allowed = (0...255).map(UInt8.init).filter { c.accepts([$0]) }
                    XCTAssertFalse(allowed.isEmpty, "dead end after \(String(decoding: bytes, as: UTF8.self))")
                    if allowed.isEmpty { break }
                    let preferred = bytes.count > 30 ? allowed.filter(closers.contains) : []
                    let pool = preferred.isEmpty ? allowed : preferred
                    let byte = pool[Int(rng.next() % UInt64(pool.count))]
                    XCTAssertTrue(c.advance([byte]))
                    bytes.append(byte)
                }
                let raw = String(decoding: bytes, as: UTF8.self)
                XCTAssertTrue(c.isComplete, "walk \(walk) did not finish: \(raw)")
                // Strings may hold raw tabs and newlines; the escaped output is JSON.
                let text = JSONConstraint.RawControlEscaper.escape(raw)
                if !bytes.contains(where: { [0x09, 0x0A, 0x0D].contains($0) }) { XCTAssertEqual(text, raw) }
                guard let value = try? JSONValue.parse(text) else { XCTFail("not JSON: \(text.debugDescription)"); continue }
                XCTAssertTrue(SchemaCheck.validates(value, schema), "\(text) does not match \(schema.compactText)")
            }
        }
    }

    func testCompleteMutationsAlwaysValidate() throws {
        var rng = Xoshiro256StarStar(seed: 5)
        let schema = walkSchemas[4]
        let seed = Array(#"{"arguments":{"path":"a/b"},"name":"ls","tags":["x",null]}"#.utf8)
        XCTAssertTrue(complete(schema, String(decoding: seed, as: UTF8.self)))
        let alphabet = Array(#"{}[]",:0123456789abnlstux\ "#.utf8)
        var accepted = 0
        for _ in 0..<3000 {
            var bytes = seed
            let i = Int(rng.next() % UInt64(bytes.count))
            bytes[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            var c = constraint(schema)
            guard c.advance(bytes), c.isComplete else { continue }
            accepted += 1
            let value = try JSONValue.parse(String(decoding: bytes, as: UTF8.self))
            XCTAssertTrue(SchemaCheck.validates(value, schema), String(decoding: bytes, as: UTF8.self))
        }
        XCTAssertGreaterThan(accepted, 10)
    }
}

/// A plain validator for the schema subset (the reference the constraint is checked against).
enum SchemaCheck {
    static func validates(_ value: JSONValue, _ schema: JSONValue) -> Bool {
        guard let s = schema.objectValue else { return true }
        if let constant = s["const"] { return value == constant || numericallyEqual(value, constant) }
        if let options = s["enum"]?.arrayValue { return options.contains { $0 == value || numericallyEqual(value, $0) } }
        if let options = (s["anyOf"] ?? s["oneOf"])?.arrayValue { return options.contains { validates(value, $0) } }
        let types: [String]
        switch s["type"] {
        case let .string(t)?: types = [t]
        case let .array(ts)?: types = ts.compactMap(\.stringValue)
        default: types = s["properties"] != nil ? ["object"] : []
        }
        if types.isEmpty { return true }
        return types.contains { type in
            switch (type, value) {
            case ("string", .string), ("boolean", .bool), ("null", .null): return true
            case ("integer", .int): return true
            case ("integer", .double(let d)): return d == d.rounded()
            case ("number", .int), ("number", .double): return true
            case ("array", .array(let items)):
                if let min = s["minItems"]?.intValue, items.count < min { return false }
                if let max = s["maxItems"]?.intValue, items.count > max { return false }
                return items.allSatisfy { validates($0, s["items"] ?? [:]) }
            case ("object", .object(let members)):
                let properties = s["properties"]?.objectValue ?? [:]
                let required = (s["required"]?.arrayValue ?? []).compactMap(\.stringValue)
                guard required.allSatisfy({ members[$0] != nil }) else { return false }
                if !properties.isEmpty, members.keys.contains(where: { properties[$0] == nil }) { return false }
                return members.allSatisfy { key, member in validates(member, properties[key] ?? [:]) }
            default: return false
            }
        }
    }

    private static func numericallyEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        guard let x = a.doubleValue, let y = b.doubleValue else { return false }
        return x == y
    }
}
