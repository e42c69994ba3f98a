import AgentCore
import Foundation

/// One line of a trace file: a sequence number, the time since the run started, and one event.
///
/// On disk (see docs/trace-format.md) every line is a JSON object with sorted keys:
/// `{"seq": 3, "t": 1.25, "type": "tool_call", "call": {…}, "result": {…}}`. The names of the
/// event types and their fields appear only in this file.
public struct TraceRecord: Hashable, Sendable {
    /// 0 for the header, then 1, 2, … in the order events happened.
    public var seq: Int
    /// Seconds since the run started when the event was recorded.
    public var elapsed: Double
    /// The event.
    public var event: Trace.Event

    /// Creates a record.
    public init(seq: Int, elapsed: Double, event: Trace.Event) {
        self.seq = seq
        self.elapsed = elapsed
        self.event = event
    }

    /// The on-disk name of an event's type.
    public static func typeName(_ event: Trace.Event) -> String {
        switch event {
        case .header: return "header"
        case .modelCall: return "model_call"
        case .plan: return "plan"
        case .toolCall: return "tool_call"
        case .toolSelection: return "tool_selection"
        case .answer: return "answer"
        case .budgetStop: return "budget_stop"
        case .error: return "error"
        case .summary: return "summary"
        }
    }
}

extension TraceRecord: Codable {
    enum Keys: String, CodingKey {
        case seq, t, type, header, modelCall = "model_call", steps, replan, call, result, text, reason, message
        case modelCalls = "model_calls", generatedTokens = "generated_tokens", seconds
        case selected, offered, terms
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        seq = try c.decode(Int.self, forKey: .seq)
        elapsed = try c.decode(Double.self, forKey: .t)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "header": event = .header(try c.decode(Trace.Header.self, forKey: .header))
        case "model_call": event = .modelCall(try c.decode(Trace.ModelCall.self, forKey: .modelCall))
        case "plan": event = .plan(steps: try c.decode(JSONValue.self, forKey: .steps), replan: try c.decode(Bool.self, forKey: .replan))
        case "tool_call":
            event = .toolCall(call: try c.decode(ToolCall.self, forKey: .call), result: try c.decode(ToolResult.self, forKey: .result))
        case "tool_selection":
            event = .toolSelection(selected: try c.decode([String].self, forKey: .selected),
                                   offered: try c.decode(Int.self, forKey: .offered),
                                   terms: try c.decode([String].self, forKey: .terms))
        case "answer": event = .answer(text: try c.decode(String.self, forKey: .text))
        case "budget_stop": event = .budgetStop(reason: try c.decode(String.self, forKey: .reason))
        case "error": event = .error(message: try c.decode(String.self, forKey: .message))
        case "summary":
            event = .summary(steps: try c.decode(Int.self, forKey: .steps), modelCalls: try c.decode(Int.self, forKey: .modelCalls),
                             generatedTokens: try c.decode(Int.self, forKey: .generatedTokens),
                             seconds: try c.decode(Double.self, forKey: .seconds))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown event type '\(type)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(elapsed, forKey: .t)
        try c.encode(Self.typeName(event), forKey: .type)
        switch event {
        case .header(let header): try c.encode(header, forKey: .header)
        case .modelCall(let call): try c.encode(call, forKey: .modelCall)
        case .plan(let steps, let replan):
            try c.encode(steps, forKey: .steps)
            try c.encode(replan, forKey: .replan)
        case .toolCall(let call, let result):
            try c.encode(call, forKey: .call)
            try c.encode(result, forKey: .result)
        case .toolSelection(let selected, let offered, let terms):
            try c.encode(selected, forKey: .selected)
            try c.encode(offered, forKey: .offered)
            try c.encode(terms, forKey: .terms)
        case .answer(let text): try c.encode(text, forKey: .text)
        case .budgetStop(let reason): try c.encode(reason, forKey: .reason)
        case .error(let message): try c.encode(message, forKey: .message)
        case .summary(let steps, let modelCalls, let generatedTokens, let seconds):
            try c.encode(steps, forKey: .steps)
            try c.encode(modelCalls, forKey: .modelCalls)
            try c.encode(generatedTokens, forKey: .generatedTokens)
            try c.encode(seconds, forKey: .seconds)
        }
    }

    /// The record as one line of JSON text (no newline).
    public func line() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

extension JSONValue {
    /// Any encodable value as a JSON value (for diffs and rendering).
    static func encoding<T: Encodable>(_ value: T) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value), let json = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return .null
        }
        return json
    }
}
