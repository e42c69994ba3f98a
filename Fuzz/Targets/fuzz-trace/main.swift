// Fuzz target: the trace reader (JSON Lines) and the text and HTML renderers of what it reads. Any bytes
// are a trace or a `TraceError`; a trace that reads renders.
import Foundation
import FuzzDriver
import Traces

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Data(FuzzDriver.bytes(data, count))
    let trace: TraceFile
    do { trace = try TraceReader.parse(bytes, path: "fuzz.jsonl") } catch is TraceError { return 0 } catch {
        fatalError("the trace reader threw a non-TraceError: \(error)")
    }
    FuzzDriver.check(!trace.records.isEmpty || trace.answer == nil, "an answer without records")
    _ = TraceText.render(trace)
    _ = TraceHTML.render(trace)
    return 0
}

FuzzDriver.run(testOneInput)
