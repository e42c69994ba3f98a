import AgentCore
import XCTest
import GGUF
@testable import Kernels

/// The types every kernel test covers.
let testedTypes: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

/// Dequantization equals the element-wise reference on random blocks.
final class DequantizeTests: XCTestCase {
    func testEveryTypeMatchesReference() {
        var rng = SeededGenerator(seed: 42)
        for simd in [true, false] {
            Kernels.setSIMD(simd)
            defer { Kernels.setSIMD(true) }
            for type in testedTypes {
                let count = type.blockSize == 1 ? 300 : type.blockSize * 6
                let bytes = ReferenceQuants.randomBlocks(type, blocks: count / type.blockSize, using: &rng)
                var out = [Float](repeating: .nan, count: count)
                bytes.withUnsafeBytes { src in
                    out.withUnsafeMutableBufferPointer { dequantize(type, src.baseAddress!, $0.baseAddress!, count: count) }
                    let expected = ReferenceQuants.dequantize(type, src.baseAddress!, count: count)
                    let scale = expected.map(abs).max()!
                    for i in 0..<count where abs(out[i] - expected[i]) > 1e-6 * scale {
                        XCTFail("\(type) simd=\(simd) element \(i): \(out[i]) != \(expected[i])")
                        break
                    }
                }
            }
        }
    }

    func testSIMDAndPortableDequantizationAreIdentical() {
        var rng = SeededGenerator(seed: 4242)
        for type in testedTypes {
            let count = type.blockSize == 1 ? 1000 : type.blockSize * 16
            let bytes = ReferenceQuants.randomBlocks(type, blocks: count / type.blockSize, using: &rng)
            var outputs = [[Float]]()
            for simd in [true, false] {
                Kernels.setSIMD(simd)
                var out = [Float](repeating: .nan, count: count)
                bytes.withUnsafeBytes { src in
                    out.withUnsafeMutableBufferPointer { dequantize(type, src.baseAddress!, $0.baseAddress!, count: count) }
                }
                outputs.append(out)
            }
            Kernels.setSIMD(true)
            XCTAssertEqual(outputs[0].map(\.bitPattern), outputs[1].map(\.bitPattern), "\(type)")
        }
    }

    func testSupportTable() {
        for type in testedTypes {
            XCTAssertTrue(Kernels.supportsDequantize(type), "\(type)")
            XCTAssertTrue(Kernels.supportsMatVec(type), "\(type)")
        }
        XCTAssertFalse(Kernels.supportsMatVec(.iq2_xxs))
        XCTAssertFalse(Kernels.supportsDequantize(.tq1_0))
    }

    func testHalfConversionRoundTrips() {
        // Every finite half converts exactly and back (C conversion vs Swift's Float16).
        for bits in UInt16(0)...UInt16.max {
            let h = Float16(bitPattern: bits)
            guard h.isFinite else { continue }
            XCTAssertEqual(loomHalfToFloat(bits), Float(h))
            if loomFloatToHalf(Float(h)) != bits, !(h == 0) { XCTFail("round trip of \(bits)"); break }
        }
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<10_000 {
            let f = Float(bitPattern: UInt32.random(in: 0x3000_0000...0x4780_0000, using: &rng)) * (Bool.random(using: &rng) ? 1 : -1)
            XCTAssertEqual(loomFloatToHalf(f), Float16(f).bitPattern, "\(f)")
        }
    }
}
