import Foundation
import GGUF
import TestSupport
import Tokenizers
import XCTest

/// Load and encode speed on the real vocabularies. Reports the numbers; asserts only generous bounds
/// that catch a pathology (quadratic merges, a slow index), not machine speed.
final class TokenizerSpeedTests: XCTestCase {
    func testQwenLoadAndEncodeSpeed() throws {
        let path = try TestModels.path(TestModels.qwen05)
        let file = try GGUFFile(path: path)
        let start = Date(), cpuStart = threadCPUSeconds()
        let tokenizer = try Tokenizer(gguf: file)
        let load = Date().timeIntervalSince(start), loadCPU = threadCPUSeconds() - cpuStart
        XCTAssertEqual(tokenizer.vocabularySize, 151_936)
        XCTAssertEqual(tokenizer.mergeCount, 151_387)

        let text = try String(contentsOf: Repository.root.appendingPathComponent("Tests/LLMTests/Fixtures/ppl-text.txt"),
                              encoding: .utf8)
        let encodeStart = Date()
        let ids = tokenizer.encode(text)
        let encode = Date().timeIntervalSince(encodeStart)
        XCTAssertEqual(tokenizer.decode(ids), text)
        let line = String(format: "qwen tokenizer: load %.3f s wall, %.3f s CPU (after GGUF open); encode %d bytes -> %d tokens in %.4f s (%.0f KB/s)",
                          load, loadCPU, text.utf8.count, ids.count, encode, Double(text.utf8.count) / 1024 / encode)
        print(line)
        XCTAssertLessThan(load, 3.0, line)
        XCTAssertLessThan(encode, 2.0, line)
    }
}

/// CPU time of the calling thread (less disturbed than wall time on a busy machine).
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
