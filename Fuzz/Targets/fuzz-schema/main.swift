// Fuzz target: constrained decoding's JSON Schema compiler and byte-level JSON constraint. The input is
// a schema (a tool's `inputSchema`, written by a plugin), a newline, then output a model might write.
// Any schema compiles; output the constraint calls complete is JSON once the raw tabs and newlines its
// strings may hold are escaped (and output without them is left as it is); a completion the constraint
// proposes is accepted and completes the value.
import AgentCore
import FuzzDriver
import LLM

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzDriver.bytes(data, count)
    let cut = input.firstIndex(of: 0x0A) ?? input.endIndex
    guard let schemaValue = try? JSONValue.parse(String(decoding: input[..<cut], as: UTF8.self)) else { return 0 }
    let output = Array(input[min(cut + 1, input.endIndex)...])
    var constraint = JSONConstraint(schema: JSONSchema(schemaValue))
    var accepted: [UInt8] = []
    for byte in output {
        guard constraint.advance([byte]) else { break }
        accepted.append(byte)
    }
    let raw = String(decoding: accepted, as: UTF8.self)
    let escaped = JSONConstraint.RawControlEscaper.escape(raw)
    if !accepted.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
        FuzzDriver.check(escaped == raw, "output without raw control characters was changed: \(raw)")
    }
    if constraint.isComplete {
        FuzzDriver.check((try? JSONValue.parse(escaped)) != nil, "a complete value is not JSON: \(escaped)")
    }
    if !constraint.isDead, let completion = constraint.shortestCompletion(maxLength: 64, maxStates: 2000) {
        var completed = constraint
        FuzzDriver.check(completed.advance(completion), "the proposed completion is refused")
        FuzzDriver.check(completed.isComplete, "the proposed completion does not complete the value")
        let text = JSONConstraint.RawControlEscaper.escape(String(decoding: accepted + completion, as: UTF8.self))
        FuzzDriver.check((try? JSONValue.parse(text)) != nil, "a completed value is not JSON: \(text)")
    }
    return 0
}

FuzzDriver.run(testOneInput)
