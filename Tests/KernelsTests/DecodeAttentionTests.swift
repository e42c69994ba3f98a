import AgentCore
import XCTest
@testable import Kernels

/// Grouped single-token attention against the formula computed in Double (on inputs already at the
/// f16 precision the kernels round queries and probabilities to), with the SIMD kernels on
/// and off, for group sizes that exercise every pass width and head sizes with and without the SIMD path.
final class DecodeAttentionTests: XCTestCase {
    func testScoresAndMixMatchTheFormula() {
        var rng = SeededGenerator(seed: 11)
        for simd in [true, false] {
            Kernels.setSIMD(simd)
            defer { Kernels.setSIMD(true) }
            for (group, headDim, length) in [(1, 64, 1), (2, 64, 5), (3, 128, 17), (6, 128, 40), (7, 64, 9),
                                              (8, 32, 3), (12, 16, 23), (4, 24, 6)] {
                let kvHeads = 2, stride = kvHeads * headDim + 3  // rows padded: the stride is not the head size
                let raw = (0 ..< group * headDim).map { _ in Float.random(in: -2 ... 2, using: &rng) }
                let keys = (0 ..< length * stride).map { _ in Float.random(in: -2 ... 2, using: &rng) }
                let values = (0 ..< length * stride).map { _ in Float.random(in: -2 ... 2, using: &rng) }
                // Inputs already at f16 precision (the kernels round queries and probabilities to f16).
                let q = raw.map { Float(Float16($0)) }
                var p = (0 ..< group * length).map { _ in Float(Float16(Float.random(in: 0 ... 1, using: &rng))) }
                let head = 1, offset = head * headDim, scale: Float = 0.125
                var scores = [Float](repeating: .nan, count: group * length)
                var out = [Float](repeating: .nan, count: group * headDim)
                keys.withUnsafeBufferPointer { k in
                    DecodeAttention.scores(query: q, group: group, headDim: headDim, keys: k.baseAddress! + offset,
                                           stride: stride, length: length, scale: scale, into: &scores)
                }
                values.withUnsafeBufferPointer { v in
                    DecodeAttention.mix(probabilities: &p, group: group, length: length, values: v.baseAddress! + offset,
                                        stride: stride, headDim: headDim, into: &out)
                }
                // Unrounded queries give the very same scores: the kernel rounds them itself.
                var fromRaw = [Float](repeating: .nan, count: group * length)
                keys.withUnsafeBufferPointer { k in
                    DecodeAttention.scores(query: raw, group: group, headDim: headDim, keys: k.baseAddress! + offset,
                                           stride: stride, length: length, scale: scale, into: &fromRaw)
                }
                XCTAssertEqual(fromRaw, scores)
                let label = "simd=\(simd) group=\(group) headDim=\(headDim) length=\(length)"
                for g in 0 ..< group {
                    for j in 0 ..< length {
                        var expected = 0.0
                        for d in 0 ..< headDim { expected += Double(q[g * headDim + d]) * Double(keys[j * stride + offset + d]) }
                        XCTAssertEqual(Double(scores[g * length + j]), expected * Double(scale), accuracy: 1e-4, label)
                    }
                    for d in 0 ..< headDim {
                        var expected = 0.0
                        for j in 0 ..< length { expected += Double(p[g * length + j]) * Double(values[j * stride + offset + d]) }
                        XCTAssertEqual(Double(out[g * headDim + d]), expected, accuracy: 1e-4, label)
                    }
                }
            }
        }
    }
}
