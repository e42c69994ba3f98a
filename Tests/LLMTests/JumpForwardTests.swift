import AgentCore
import Foundation
import GGUF
@testable import LLM
import TestSupport
import Tokenizers
import XCTest

/// Jump-forward decoding: text the constraint leaves no choice about is appended without sampling,
/// tokenized as the model's tokenizer splits it, and the output is the one sampling gives.
final class JumpForwardTests: XCTestCase {
    /// A plan-shaped schema: ordered keys, an enum of tool names, nested objects.
    private static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "parts": ["type": "array", "items": ["type": "string"], "minItems": 1, "maxItems": 3],
            "steps": ["type": "array", "maxItems": 3, "items": [
                "type": "object",
                "properties": [
                    "id": ["type": "string"],
                    "tool": ["type": "string", "enum": ["evaluate"]],
                    "arguments": ["type": "object", "properties": ["expression": ["type": "string"]],
                                  "required": ["expression"], "additionalProperties": false],
                ],
                "required": ["id", "tool", "arguments"], "propertyOrder": ["id", "tool", "arguments"],
                "additionalProperties": false,
            ]],
        ],
        "required": ["parts", "steps"], "propertyOrder": ["parts", "steps"], "additionalProperties": false,
    ]

    func testForcedContinuationFollowsTheSchema() throws {
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: try TestModels.path(TestModels.qwen05)))
        var c = TokenConstraint(schema: JSONSchema(Self.schema), tokenizer: tokenizer)
        XCTAssertEqual(String(decoding: c.forcedContinuation(limit: 64), as: UTF8.self), "{\"parts\":")
        XCTAssertTrue(c.advance(bytes: Array("{\"parts\": [\"a\"], ".utf8)))
        XCTAssertEqual(String(decoding: c.forcedContinuation(limit: 64), as: UTF8.self), "\"steps\":")
        XCTAssertTrue(c.advance(bytes: Array("\"steps\": [{".utf8)))
        XCTAssertEqual(String(decoding: c.forcedContinuation(limit: 64), as: UTF8.self), "\"id\":")
        XCTAssertTrue(c.advance(bytes: Array("\"id\": \"s1\", \"tool\": ".utf8)))
        // The only tool's name, and the comma before the next key (whose space is optional).
        XCTAssertEqual(String(decoding: c.forcedContinuation(limit: 64), as: UTF8.self), "\"evaluate\",")
        XCTAssertEqual(String(decoding: c.forcedContinuation(limit: 4), as: UTF8.self), "\"eva", "the limit holds")
        // Inside a free string nothing is forced.
        XCTAssertTrue(c.advance(bytes: Array("\"evaluate\", \"arguments\": {\"expression\": \"1".utf8)))
        XCTAssertEqual(c.forcedContinuation(limit: 64), [])
    }

    func testForcedTokensAreTheTokenizersOwnSplit() throws {
        let model = try LocalModel(path: try TestModels.path(TestModels.qwen05), contextLength: 512)
        let tokenizer = model.tokenizer
        var c = TokenConstraint(schema: JSONSchema(Self.schema), tokenizer: tokenizer)
        let text = "{\"parts\": [\"the sum\"], \"steps\": [{\"id\": \"s1\", \"tool\": \""
        let generated = tokenizer.encode(text)
        for token in generated { XCTAssertTrue(c.advance(token)) }
        let forced = model.forcedTokens(after: generated, constraint: c, limit: 64)
        XCTAssertFalse(forced.isEmpty)
        // The forced tokens are what encoding the whole text gives, less the split's last token.
        let whole = tokenizer.encode(text + "evaluate\",")
        XCTAssertEqual(generated + forced, Array(whole.dropLast()))
        XCTAssertEqual(model.forcedTokens(after: generated, constraint: c, limit: 0), [], "the limit holds")

        // A split that does not extend what was generated (a lone space token where the tokenizer
        // would join it to the quote) forces nothing: generated tokens are never re-split.
        var d = TokenConstraint(schema: JSONSchema(Self.schema), tokenizer: tokenizer)
        let odd = tokenizer.encode("{\"parts\": [\"the sum\"], \"steps\": [{\"id\": \"s1\", \"tool\": ")
        for token in odd { XCTAssertTrue(d.advance(token)) }
        XCTAssertEqual(model.forcedTokens(after: odd, constraint: d, limit: 64), [])
    }

    func testJumpForwardGivesTheSameOutputAsSampling() async throws {
        let model = try LocalModel(path: try TestModels.path(TestModels.qwen05), contextLength: 1024)
        let questions = ["What is 17 times 23, plus 5?", "A box holds 12 eggs. How many eggs are in 9 boxes, less 7 broken ones?"]
        var forcedInAll = 0
        for question in questions {
            let request = CompletionRequest(
                messages: [.system("Answer with a JSON plan: the parts of the question, then steps that call the evaluate tool."),
                           .user(question)],
                maxTokens: 160, constraint: .jsonSchema(Self.schema))
            model.jumpForward = false
            let sampled = try await model.complete(request, onText: nil)
            model.jumpForward = true
            let jumped = try await model.complete(request, onText: nil)
            XCTAssertEqual(jumped.text, sampled.text, question)
            XCTAssertEqual(jumped.generatedTokens, sampled.generatedTokens, "the same tokens, forced or sampled: \(question)")
            XCTAssertEqual(sampled.forcedTokens, 0)
            forcedInAll += try XCTUnwrap(jumped.forcedTokens)
            XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(jumped.text.utf8)), jumped.text)
        }
        XCTAssertGreaterThan(forcedInAll, 4, "keys and the tool name were forced")
    }

    /// Tokens holding raw newlines and indentation are allowed inside a string (code), not between values.
    func testNewlineTokensAreAllowedInsideStringsOnly() throws {
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: try TestModels.path(TestModels.qwen05)))
        let schema: JSONValue = ["type": "object", "properties": ["code": ["type": "string"], "n": ["type": "integer"]],
                                 "required": ["code"]]
        // The tokens of indented code that hold a newline or a tab (":\n", "\n\t", ... as the tokenizer splits it).
        let code = "def f(n):\n    if n:\n\treturn n\n\n"
        let newlines = Set(tokenizer.encode(code).filter { tokenizer.decode([$0]).contains(where: { $0 == "\n" || $0 == "\t" }) })
        XCTAssertGreaterThanOrEqual(newlines.count, 2)
        var inside = TokenConstraint(schema: JSONSchema(schema), tokenizer: tokenizer)
        XCTAssertTrue(inside.advance(bytes: Array(#"{"code": "def f(n)"#.utf8)))
        for token in newlines { XCTAssertTrue(inside.allows(token), tokenizer.decode([token]).debugDescription) }
        var between = TokenConstraint(schema: JSONSchema(schema), tokenizer: tokenizer)
        XCTAssertTrue(between.advance(bytes: Array(#"{"code": "x","#.utf8)))
        for token in newlines { XCTAssertFalse(between.allows(token), tokenizer.decode([token]).debugDescription) }
        for token in tokenizer.encode(":" + code) { XCTAssertTrue(inside.advance(token)) }
        XCTAssertTrue(inside.advance(bytes: [0x22]))
        for token in newlines { XCTAssertFalse(inside.allows(token), "after the string closes") }
    }
}
