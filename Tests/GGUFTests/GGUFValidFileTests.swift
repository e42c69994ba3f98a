import XCTest
@testable import GGUF

/// Files written by the test writer read back exactly, in both supported versions.
final class GGUFValidFileTests: XCTestCase {
    func testRoundTripVersions2And3() throws {
        for version: UInt32 in [2, 3] {
            let w = GGUFWriter.sample(version: version)
            let file = try GGUFFile(path: writeTemporary(w.bytes()))
            XCTAssertEqual(file.version, version)
            XCTAssertEqual(file.metadataKeys, w.metadata.map(\.0))
            for (key, value) in w.metadata { XCTAssertEqual(file.metadata[key], value, key) }
            XCTAssertEqual(file.metadata["u64"]?.int, 1 << 40)
            XCTAssertEqual(file.metadata["i8"]?.int, -5)
            XCTAssertEqual(file.metadata["f32"]?.double, 1.5)
            XCTAssertEqual(file.metadata["flag"]?.bool, true)
            XCTAssertEqual(file.metadata["tokenizer.ggml.tokens"]?.stringArray, ["a", "b", "ü"])
            XCTAssertEqual(file.metadata["tokenizer.ggml.scores"]?.floatArray, [0.5, -1])
            XCTAssertEqual(file.metadata["nested"]?.array?.first?.intArray, [1, 2])
            XCTAssertNil(file.metadata["f32"]?.int)
            XCTAssertEqual(file.alignment, 32)
            XCTAssertEqual(file.tensors.map(\.name), ["a.weight", "b.weight", "c.weight"])
            let a = try XCTUnwrap(file.tensor("a.weight"))
            XCTAssertEqual(a.shape, [4, 2])
            XCTAssertEqual(a.elementCount, 8)
            XCTAssertEqual(a.byteCount, 32)
            XCTAssertEqual(a.offset % 32, 0)
            XCTAssertEqual(file.data(a).load(fromByteOffset: 5, as: UInt8.self), 5)
            let b = try XCTUnwrap(file.tensor("b.weight"))
            XCTAssertEqual(b.type, .q8_0)
            XCTAssertEqual(file.data(b).load(fromByteOffset: 33, as: UInt8.self), 33)
            XCTAssertEqual(file.summary.architecture, "llama")
            XCTAssertEqual(file.summary.vocabularySize, 3)
            XCTAssertEqual(file.summary.contextLength, 128)
            XCTAssertEqual(file.summary.parameterCount, 8 + 32 + 2)
        }
    }

    func testCustomAlignment() throws {
        var w = GGUFWriter.sample()
        w.alignment = 64
        w.metadata.append(("general.alignment", .uint32(64)))
        let file = try GGUFFile(path: writeTemporary(w.bytes()))
        XCTAssertEqual(file.alignment, 64)
        XCTAssertEqual(file.dataOffset % 64, 0)
        XCTAssertEqual(file.data(try XCTUnwrap(file.tensor("b.weight"))).load(fromByteOffset: 1, as: UInt8.self), 1)
    }

    func testTypeTable() {
        XCTAssertEqual(GGMLType.q4_K.blockSize, 256)
        XCTAssertEqual(GGMLType.q4_K.typeSize, 144)
        XCTAssertEqual(GGMLType.q6_K.rowBytes(4864), 19 * 210)
        XCTAssertEqual(GGMLType.q5_0.rowBytes(896), 28 * 22)
        XCTAssertEqual(GGMLType.bf16.rawValue, 30)
        XCTAssertEqual(GGMLType.q4_K.description, "q4_K")
        for t in GGMLType.allCases { XCTAssertGreaterThan(t.typeSize, 0, t.description) }
    }
}
