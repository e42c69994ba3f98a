import AgentCore
import Foundation

/// Writes the answer of a plan-then-execute run from its results.
///
/// With `PlannerPolicy.answerFromSource`, the answer is JSON that first names the step it rests on
/// (`{"source": "s2", "answer": "…"}`): generation stops where the answer would begin, and a second,
/// cheap call continues with the text prefilled up to that step's value, so the number in the answer is
/// the tool's, not one the model worked out again in its head. The answer may go on after the value (a
/// unit, a sentence); arithmetic written after it is cut.
struct AnswerWriting {
    /// What writing the answer gave.
    enum Written: Equatable {
        /// The answer text.
        case text(String)
        /// The prompt no longer fits the model's context (its token count).
        case tooLong(tokens: Int)
    }

    let session: RunSession
    let policies: Set<PlannerPolicy>
    /// The steps the answer may rest on, in order.
    let sources: [PlanStepRecord]

    /// Ids of the steps the answer may name.
    var sourceIDs: [String] { sources.map(\.step.id) }

    /// The short results (step id, value) that are repeated next to the question in the answer call, so
    /// a small model copies them from close by instead of from memory.
    var values: [(String, String)] {
        sources.compactMap { record in record.result.map { (record.step.id, References.value(of: $0)) } }
            .filter { $0.1.count <= 200 && !$0.1.contains("\n") }
    }

    private var sourced: Bool { policies.contains(.answerFromSource) && !sources.isEmpty }

    /// Writes the answer with an answer call of its own; `messages` end with the answer instruction.
    func write(messages: [Message]) async throws -> Written {
        // The answer is JSON too, {"answer": "…"}: after a conversation of plans a small model otherwise
        // tends to write one more plan where the answer should be.
        let request = CompletionRequest(messages: messages, sampling: session.agent.sampling,
                                        maxTokens: session.configuration.answerMaxTokens,
                                        constraint: .jsonSchema(Self.answerSchema(steps: sourced ? sourceIDs : [])),
                                        stop: sourced ? [Self.answerKey] : [])
        let completion = try await session.complete(purpose: "answer", request, streamAnswer: !sourced)
        if completion.finishReason == .promptTooLong { return .tooLong(tokens: completion.promptTokens.count) }
        // The first call stops where the answer would begin: `{"source": "s2", `.
        if sourced, (try? JSONValue.parse(completion.text)) == nil, let source = Self.source(in: completion.text) {
            let prefill = "{\"source\": \(JSONValue.string(source).compactText), "
            return try await continueAnswer(request, prefill: prefill, source: source)
        }
        return .text(Self.answerText(completion.text))
    }

    /// Finishes the answer a follow-up started (`{"remaining": "nothing", "source": "s2", ` or a whole
    /// `{"remaining": "nothing", "answer": "…"}`); `messages` are the conversation before that follow-up's
    /// output, and `schema` the one it was written under.
    func finish(_ started: String, messages: [Message], schema: JSONValue) async throws -> Written {
        if (try? JSONValue.parse(started)) != nil { return .text(Self.answerText(started)) }
        guard let source = Self.source(in: started) else { return .text(Self.answerText(started)) }
        var opening = started.trimmingCharacters(in: .whitespacesAndNewlines)
        if !opening.hasSuffix(",") { opening += "," }
        let request = CompletionRequest(messages: messages, sampling: session.agent.sampling,
                                        maxTokens: session.configuration.answerMaxTokens,
                                        constraint: .jsonSchema(schema))
        return try await continueAnswer(request, prefill: opening + " ", source: source)
    }

    /// The answer call that continues `prefill` with the answer key and the named step's value.
    private func continueAnswer(_ request: CompletionRequest, prefill: String, source: String) async throws -> Written {
        let value = values.first { $0.0 == source }?.1 ?? ""
        var request = request
        request.prefill = prefill + Self.answerKey + ": " + JSONValue.string(value).compactText.dropLast()
        request.stop = []
        let rest = try await session.complete(purpose: "answer", request, streamAnswer: true)
        if rest.finishReason == .promptTooLong { return .tooLong(tokens: rest.promptTokens.count) }
        let text = Self.answerText(request.prefill + rest.text)
        return .text(policies.contains(.answerFromSource) ? Self.withoutArithmetic(text, after: value) : text)
    }

    /// The answer's key, where a sourced answer call stops once the source is named.
    static let answerKey = "\"answer\""

    /// The step named by a started answer (`{"source": "s2", ` or `{"remaining": "nothing", "source": "s2",`).
    static func source(in text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ", "))
        guard let value = try? JSONValue.parse(trimmed + "}") else { return nil }
        return value["source"]?.stringValue
    }

    /// Whether a follow-up's output is the start of an answer rather than a plan.
    static func isAnswer(_ text: String) -> Bool {
        if let value = try? JSONValue.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            return value["answer"] != nil && value["steps"] == nil
        }
        return source(in: text) != nil
    }

    /// The schema of a follow-up that may either plan more steps or, when nothing remains, answer:
    /// `{"remaining": "nothing", "source": "s2", "answer": "…"}` (without `source` when there is none
    /// to name).
    static func planOrAnswer(_ plan: JSONValue, sources: [String], sourced: Bool) -> JSONValue {
        var properties: [String: JSONValue] = ["remaining": ["const": "nothing"], "answer": ["type": "string"]]
        var order = ["remaining"]
        if sourced, !sources.isEmpty {
            properties["source"] = ["enum": .array((sources + ["none"]).map { .string($0) })]
            order.append("source")
        }
        order.append("answer")
        let answer: JSONValue = ["type": "object", "properties": .object(properties),
                                 "required": .array(order.map { .string($0) }),
                                 "propertyOrder": .array(order.map { .string($0) }), "additionalProperties": false]
        return ["anyOf": [plan, answer]]
    }

    /// The schema of the answer call. With steps, the answer first names the step it rests on
    /// (`"source"`, or `"none"`): a small model that has just written "s2" copies s2's value, where
    /// otherwise it sometimes does the arithmetic again in its head and gets it wrong.
    static func answerSchema(steps: [String]) -> JSONValue {
        guard !steps.isEmpty else {
            return ["type": "object", "properties": ["answer": ["type": "string"]], "required": ["answer"],
                    "additionalProperties": false]
        }
        return ["type": "object",
                "properties": ["source": ["enum": .array((steps + ["none"]).map { .string($0) })], "answer": ["type": "string"]],
                "required": ["source", "answer"], "propertyOrder": ["source", "answer"], "additionalProperties": false]
    }

    /// The answer inside `{"answer": "…"}`; the raw text when the output was cut off before it closed.
    static func answerText(_ output: String) -> String {
        let trimmed = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if let answer = (try? JSONValue.parse(trimmed))?["answer"]?.stringValue {
            return answer.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return trimmed
    }

    /// The answer cut back to the step's value when what the model wrote after it starts with an
    /// operator and a number (`117380 + 380 = …`): the value is the tool's result, and
    /// arithmetic after it is the model redoing in its head what the steps already did.
    static func withoutArithmetic(_ answer: String, after value: String) -> String {
        guard !value.isEmpty, answer.hasPrefix(value) else { return answer }
        let tail = answer.dropFirst(value.count).drop { $0 == " " }
        guard let first = tail.first, "+-*/×÷^=".contains(first) else { return answer }
        // An operator then a number (`+ 380`, `* (3/4)`); a dash before words is punctuation.
        guard let operand = tail.dropFirst().drop(while: { $0 == " " }).first, operand.isNumber || operand == "(" else {
            return answer
        }
        return value
    }

    /// Whether a step's result only restates one of its arguments (`evaluate "64,208"` giving
    /// `64208`, `"9 August"` giving `9*August`): spaces, thousands commas and `*` aside, the same text.
    static func isEcho(_ step: Plan.Step, result: ToolResult) -> Bool {
        func bare(_ text: String) -> String { text.filter { !" ,*\n".contains($0) } }
        let value = bare(References.value(of: result))
        guard !value.isEmpty, case .object(let arguments) = step.arguments else { return false }
        return arguments.values.contains { $0.stringValue.map(bare) == value }
    }
}
