import XCTest
import TestSupport
@testable import GGUF

/// Opens the real model files. Expected values were read from the same files with the `gguf` Python
/// package (gguf-py 0.19.0, `GGUFReader`), an independent reader.
final class GGUFRealModelTests: XCTestCase {
    func testSmolLM2Metadata() throws {
        let file = try GGUFFile(path: TestModels.path(TestModels.smollm))
        XCTAssertEqual(file.version, 3)
        XCTAssertEqual(file.metadataKeys.count, 33)
        XCTAssertEqual(file.metadata["general.architecture"]?.string, "llama")
        XCTAssertEqual(file.metadata["llama.context_length"]?.int, 8192)
        XCTAssertEqual(file.metadata["llama.attention.head_count"]?.int, 9)
        XCTAssertEqual(file.metadata["llama.attention.head_count_kv"]?.int, 3)
        XCTAssertEqual(file.metadata["llama.block_count"]?.int, 30)
        XCTAssertEqual(file.metadata["llama.rope.freq_base"]?.double, 100000)
        XCTAssertEqual(file.metadata["tokenizer.ggml.pre"]?.string, "smollm")
        XCTAssertEqual(file.metadata["tokenizer.ggml.tokens"]?.stringArray?.count, 49152)
        XCTAssertEqual(file.metadata["tokenizer.ggml.token_type"]?.intArray?.count, 49152)
        XCTAssertEqual(file.metadata["tokenizer.ggml.merges"]?.stringArray?.count, 48900)
        XCTAssertEqual(file.metadata["general.languages"]?.stringArray, ["en"])
        XCTAssertEqual(file.tensors.count, 272)
        let summary = file.summary
        XCTAssertEqual(summary.tensorTypes, [.q4_1: 210, .f32: 61, .q8_0: 1])
        XCTAssertEqual(summary.parameterCount, 134_515_008)
        XCTAssertEqual(summary.vocabularySize, 49152)
        XCTAssertTrue(summary.hasChatTemplate)
        let embd = try XCTUnwrap(file.tensor("token_embd.weight"))
        XCTAssertEqual(embd.shape, [576, 49152])
        XCTAssertEqual(embd.type, .q8_0)
        XCTAssertEqual(embd.offset, 1_785_664)
        XCTAssertEqual(embd.byteCount, 576 / 32 * 34 * 49152)
        XCTAssertNil(file.tensor("output.weight"))
    }

    func testQwenMetadataAndLoadTime() throws {
        let path = try TestModels.path(TestModels.qwen05)
        let start = Date()
        let file = try GGUFFile(path: path)
        let tokens = file.metadata["tokenizer.ggml.tokens"]?.stringArray
        let merges = file.metadata["tokenizer.ggml.merges"]?.stringArray
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertLessThan(elapsed, 0.3, "opening the Qwen file and reading its vocabulary took \(elapsed) s")
        XCTAssertEqual(file.metadata["general.architecture"]?.string, "qwen2")
        XCTAssertEqual(file.metadata["qwen2.context_length"]?.int, 32768)
        XCTAssertEqual(file.metadata["qwen2.attention.head_count"]?.int, 14)
        XCTAssertEqual(file.metadata["qwen2.attention.head_count_kv"]?.int, 2)
        XCTAssertEqual(file.metadata["qwen2.embedding_length"]?.int, 896)
        XCTAssertEqual(file.metadata["qwen2.feed_forward_length"]?.int, 4864)
        XCTAssertEqual(tokens?.count, 151_936)
        XCTAssertEqual(merges?.count, 151_387)
        XCTAssertEqual(file.tensors.count, 291)
        let summary = file.summary
        XCTAssertEqual(summary.architecture, "qwen2")
        XCTAssertEqual(summary.contextLength, 32768)
        XCTAssertEqual(summary.vocabularySize, 151_936)
        XCTAssertEqual(summary.parameterCount, 630_167_424)
        XCTAssertEqual(summary.tensorTypes, [.q5_0: 133, .f32: 121, .q8_0: 13, .q6_K: 12, .q4_K: 12])
        XCTAssertEqual(summary.tensorBytes.values.reduce(0, +), file.tensors.reduce(0) { $0 + $1.byteCount })
        let output = try XCTUnwrap(file.tensor("output.weight"))
        XCTAssertEqual(output.shape, [896, 151_936])
        XCTAssertEqual(output.offset, 5_947_776)
        // Every tensor's data lies inside the file, after the header.
        for t in file.tensors {
            XCTAssertGreaterThanOrEqual(t.offset, file.dataOffset)
            XCTAssertLessThanOrEqual(t.offset + t.byteCount, file.fileSize)
            XCTAssertEqual(t.byteCount, t.type.rowBytes(t.shape[0]) * t.rowCount)
        }
    }
}
