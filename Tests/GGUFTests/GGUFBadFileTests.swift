import XCTest
@testable import GGUF

/// Handcrafted bad files: each must fail with its specific `GGUFError` case, never crash.
final class GGUFBadFileTests: XCTestCase {
    /// Opens `bytes` as a file and returns the error it throws (failing if it opens).
    private func openError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> GGUFError? {
        let path = try writeTemporary(bytes)
        do {
            _ = try GGUFFile(path: path)
            XCTFail("the file opened", file: file, line: line)
            return nil
        } catch let error as GGUFError {
            return error
        }
    }

    /// The first bytes of a header: magic, version 3, tensor count, key count.
    private func header(tensors: UInt64, keys: UInt64) -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8) + le(UInt32(3))
        out += le(tensors) + le(keys)
        return out
    }

    private func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    func testBadMagic() throws {
        var w = GGUFWriter.sample()
        w.magic = 0x1234_5678
        XCTAssertEqual(try openError(w.bytes()), .badMagic(found: 0x1234_5678))
    }

    func testUnsupportedVersion() throws {
        var w = GGUFWriter.sample()
        w.version = 99
        XCTAssertEqual(try openError(w.bytes()), .unsupportedVersion(99))
        w.version = 1
        XCTAssertEqual(try openError(w.bytes()), .unsupportedVersion(1))
    }

    func testEmptyAndTruncatedHeader() throws {
        XCTAssertEqual(try openError([]), .truncated(what: "magic", offset: 0, needed: 4, fileSize: 0))
        let bytes = Array(GGUFWriter.sample().bytes().prefix(20))
        XCTAssertEqual(try openError(bytes), .truncated(what: "metadata key count", offset: 16, needed: 8, fileSize: 20))
        // Cut in the middle of a metadata value (a uint64 with 4 of its 8 bytes).
        let cut = header(tensors: 0, keys: 1) + le(UInt64(1)) + Array("k".utf8) + le(UInt32(10)) + [1, 2, 3, 4]
        XCTAssertEqual(try openError(cut), .truncated(what: "value of 'k'", offset: 37, needed: 8, fileSize: 41))
        // A valid file cut anywhere in its header never opens.
        let valid = GGUFWriter.sample().bytes()
        let headerEnd = try GGUFFile(path: writeTemporary(valid)).dataOffset
        for length in stride(from: 0, to: headerEnd, by: 7) { _ = try openError(Array(valid.prefix(length))) }
    }

    func testTruncatedTensorData() throws {
        let bytes = GGUFWriter.sample().bytes()
        let error = try openError(Array(bytes.dropLast(2)))
        XCTAssertEqual(error, .tensorOutOfBounds(name: "c.weight", offset: UInt64(bytes.count - 4),
                                                 fileSize: UInt64(bytes.count - 2)))
    }

    func testTensorBeyondEndOfFile() throws {
        var w = GGUFWriter.sample()
        w.addTensor("far.weight", shape: [8], type: .f32, data: [], offset: 1 << 20)
        let bytes = w.bytes()
        guard case let .tensorOutOfBounds(name, offset, size)? = try openError(bytes) else { return XCTFail() }
        XCTAssertEqual(name, "far.weight")
        XCTAssertGreaterThan(offset, 1 << 20)
        XCTAssertEqual(size, UInt64(bytes.count))
        // An offset so large that adding the data start overflows.
        var w2 = GGUFWriter.sample()
        w2.addTensor("huge.weight", shape: [8], type: .f32, data: [], offset: UInt64.max - 31)
        guard case .tensorOutOfBounds(name: "huge.weight", _, _)? = try openError(w2.bytes()) else { return XCTFail() }
    }

    func testUnknownTensorType() throws {
        var w = GGUFWriter.sample()
        w.tensors.append(("bad.weight", [4], 255, [UInt8](repeating: 0, count: 16), nil))
        XCTAssertEqual(try openError(w.bytes()), .unknownTensorType(name: "bad.weight", type: 255))
        w.tensors[3].type = 4 // removed from ggml (q4_2)
        XCTAssertEqual(try openError(w.bytes()), .unknownTensorType(name: "bad.weight", type: 4))
    }

    func testAbsurdStringLength() throws {
        let bytes = header(tensors: 0, keys: 1) + le(UInt64(1) << 60) + Array("key".utf8) + [UInt8](repeating: 0, count: 16)
        XCTAssertEqual(try openError(bytes), .stringTooLong(length: 1 << 60, offset: 24, remainingBytes: 19))
    }

    func testAbsurdArrayCount() throws {
        let key = Array("arr".utf8)
        let bytes = header(tensors: 0, keys: 1) + le(UInt64(key.count)) + key + le(UInt32(9)) + le(UInt32(4))
            + le(UInt64(1) << 60) + [1, 2, 3, 4]
        XCTAssertEqual(try openError(bytes),
                       .countTooLarge(what: "array 'arr' element", count: 1 << 60, offset: 43, remainingBytes: 4))
        // A string array whose count times the smallest string (8 bytes) overflows.
        let strings = header(tensors: 0, keys: 1) + le(UInt64(key.count)) + key + le(UInt32(9)) + le(UInt32(8))
            + le(UInt64.max)
        guard case .countTooLarge(what: "array 'arr' element", count: .max, _, _)? = try openError(strings) else {
            return XCTFail()
        }
    }

    func testAbsurdTensorAndKeyCounts() throws {
        XCTAssertEqual(try openError(header(tensors: 1 << 60, keys: 0)),
                       .countTooLarge(what: "tensor", count: 1 << 60, offset: 8, remainingBytes: 0))
        XCTAssertEqual(try openError(header(tensors: 0, keys: 1 << 60)),
                       .countTooLarge(what: "metadata key", count: 1 << 60, offset: 16, remainingBytes: 0))
    }

    func testDuplicateKey() throws {
        var w = GGUFWriter.sample()
        w.metadata.append(("u8", .uint8(1)))
        XCTAssertEqual(try openError(w.bytes()), .duplicateKey("u8"))
    }

    func testDuplicateTensorName() throws {
        var w = GGUFWriter.sample()
        w.addTensor("a.weight", shape: [4], type: .f32, data: [UInt8](repeating: 0, count: 16))
        XCTAssertEqual(try openError(w.bytes()), .duplicateTensorName("a.weight"))
    }

    func testMisalignedOffset() throws {
        var w = GGUFWriter.sample()
        w.addTensor("odd.weight", shape: [1], type: .f32, data: [], offset: 8)
        XCTAssertEqual(try openError(w.bytes()), .misalignedOffset(name: "odd.weight", offset: 8, alignment: 32))
    }

    func testUnknownValueType() throws {
        let key = Array("k".utf8)
        let bytes = header(tensors: 0, keys: 1) + le(UInt64(1)) + key + le(UInt32(13)) + [0, 0, 0, 0]
        XCTAssertEqual(try openError(bytes), .unknownValueType(key: "k", type: 13))
    }

    func testArraysNestedTooDeep() throws {
        var value = GGUFValue.array(elementType: .int32, [])
        for _ in 0..<10 { value = .array(elementType: .array, [value]) }
        var w = GGUFWriter.sample()
        w.metadata.append(("deep", value))
        XCTAssertEqual(try openError(w.bytes()), .arrayNestingTooDeep(key: "deep", depth: GGUFFile.maximumArrayDepth))
    }

    func testBadAlignmentValue() throws {
        var w = GGUFWriter.sample()
        w.metadata.append(("general.alignment", .uint32(3)))
        XCTAssertEqual(try openError(w.bytes()), .invalidValue(key: "general.alignment", reason: "3 is not a power of two"))
        w.metadata[w.metadata.count - 1].1 = .string("32")
        XCTAssertEqual(try openError(w.bytes()), .invalidValue(key: "general.alignment", reason: "must be a uint32"))
    }

    func testInvalidShapes() throws {
        var w = GGUFWriter.sample()
        w.addTensor("five.weight", shape: [1, 1, 1, 1, 1], type: .f32, data: [0, 0, 0, 0])
        XCTAssertEqual(try openError(w.bytes()), .invalidShape(name: "five.weight", shape: []))
        var w2 = GGUFWriter.sample()
        w2.addTensor("big.weight", shape: [1 << 30, 1 << 30], type: .f32, data: [])
        XCTAssertEqual(try openError(w2.bytes()), .invalidShape(name: "big.weight", shape: [1 << 30, 1 << 30]))
        var w3 = GGUFWriter.sample()
        w3.addTensor("q.weight", shape: [33], type: .q8_0, data: [])
        XCTAssertEqual(try openError(w3.bytes()), .rowNotBlockAligned(name: "q.weight", rowLength: 33, blockSize: 32))
    }

    func testMissingFile() {
        XCTAssertThrowsError(try GGUFFile(path: "/nonexistent/loom/model.gguf")) { error in
            guard case GGUFError.cannotOpen(path: "/nonexistent/loom/model.gguf", _)? = error as? GGUFError else {
                return XCTFail("\(error)")
            }
        }
        XCTAssertThrowsError(try GGUFFile(path: "/tmp")) { error in
            XCTAssertEqual(error as? GGUFError, .cannotOpen(path: "/tmp", reason: "not a regular file"))
        }
    }
}
