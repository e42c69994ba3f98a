// Fuzz target: the JSON-RPC line reader that reads a plugin's stdout. The input arrives in chunks of
// varying size (as reads from a pipe do); the lines delivered are exactly the input's lines, in order,
// and each one reads as a JSON-RPC message or as invalid, never a crash.
import FuzzDriver
@testable import PluginHost

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzDriver.bytes(data, count)
    guard input.count >= 2 else { return 0 }
    // The first byte sets the chunk size (1...64 bytes, as a slow or bursty plugin writes); the second
    // the longest line (64...4096 bytes).
    let chunkSize = Int(input[0] % 64) + 1
    let splitter0 = RPCLineSplitter(maxLineBytes: 64 + Int(input[1]) * 16)
    let stream = Array(input.dropFirst(2))
    var splitter = splitter0
    var lines: [[UInt8]] = []
    var flooded = false
    var offset = 0
    while offset < stream.count, !flooded {
        let end = min(offset + chunkSize, stream.count)
        let outcome = stream[offset..<end].withUnsafeBufferPointer { chunk in
            splitter.append(chunk) { line in
                lines.append(line)
                return true
            }
        }
        flooded = outcome == .flood
        offset = end
    }
    let expected = stream.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    FuzzDriver.check(lines.count < expected.count, "more lines than newlines")
    FuzzDriver.check(Array(expected.prefix(lines.count)) == lines, "the lines differ from the input's lines")
    if !flooded { FuzzDriver.check(splitter.partial == expected.last, "the unfinished line differs") }
    for line in lines {
        if case .invalid(let excerpt) = RPCMessage(line: line) {
            FuzzDriver.check(excerpt.utf8.count <= 3 * 200 + 3, "an excerpt longer than 200 bytes: \(excerpt.utf8.count)")
        }
    }
    return 0
}

FuzzDriver.run(testOneInput)
