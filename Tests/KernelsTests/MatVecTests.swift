import AgentCore
import XCTest
import GGUF
@testable import Kernels

/// matVec against dequantize + naive dot, the SIMD path against the portable one, and thread counts.
final class MatVecTests: XCTestCase {
    /// Random weights (rows, cols) of `type`, a random x (cols,).
    private func problem(_ type: GGMLType, rows: Int, cols: Int, seed: UInt64) -> (w: [UInt8], x: [Float]) {
        var rng = SeededGenerator(seed: seed)
        let w = ReferenceQuants.randomBlocks(type, blocks: rows * cols / type.blockSize, using: &rng)
        let x = (0..<cols).map { _ in Float.random(in: -1...1, using: &rng) }
        return (w, x)
    }

    private func run(_ type: GGMLType, _ w: [UInt8], _ x: [Float], rows: Int, cols: Int, pool: ThreadPool) -> [Float] {
        var y = [Float](repeating: .nan, count: rows)
        w.withUnsafeBytes { wp in
            y.withUnsafeMutableBufferPointer { matVec(type, weights: wp.baseAddress!, rows: rows, cols: cols, x: x, y: $0.baseAddress!, pool: pool) }
        }
        return y
    }

    func testEveryTypeAgainstNaiveDot() {
        let pool = ThreadPool(threadCount: 2)
        for type in testedTypes {
            let rows = 37, cols = type.blockSize == 256 ? 512 : 288
            let (w, x) = problem(type, rows: rows, cols: cols, seed: UInt64(type.rawValue) + 1)
            let xNorm = x.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            let simd = run(type, w, x, rows: rows, cols: cols, pool: pool)
            Kernels.setSIMD(false)
            let portable = run(type, w, x, rows: rows, cols: cols, pool: pool)
            Kernels.setSIMD(true)
            w.withUnsafeBytes { wp in
                for r in 0..<rows {
                    let row = ReferenceQuants.dequantize(type, wp.baseAddress! + r * type.rowBytes(cols), count: cols)
                    let exact = zip(row, x).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                    let norms = row.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() * xNorm
                    // 8-bit activations: error well under 1% of |w|·|x|; f32/f16/bf16 are exact up to rounding.
                    let tolerance = type.blockSize == 1 ? 1e-5 * norms : 1e-2 * norms
                    XCTAssertLessThanOrEqual(abs(Double(simd[r]) - exact), tolerance, "\(type) row \(r)")
                    XCTAssertLessThanOrEqual(abs(Double(portable[r]) - exact), tolerance, "\(type) portable row \(r)")
                    // Both paths see the same quantized x: they differ only by f32 summation order.
                    XCTAssertLessThanOrEqual(abs(Double(simd[r] - portable[r])), 1e-5 * norms, "\(type) simd vs portable row \(r)")
                }
            }
        }
    }

    func testResultsDoNotDependOnThreadCount() {
        let pools = [ThreadPool(threadCount: 1), ThreadPool(threadCount: 2), ThreadPool(threadCount: 3)]
        for type in [GGMLType.q4_K, .q6_K, .q5_0, .q8_0, .q4_1, .f16] {
            let rows = 101, cols = 512
            let (w, x) = problem(type, rows: rows, cols: cols, seed: 99)
            let results = pools.map { run(type, w, x, rows: rows, cols: cols, pool: $0) }
            XCTAssertEqual(results[0].map(\.bitPattern), results[1].map(\.bitPattern), "\(type)")
            XCTAssertEqual(results[0].map(\.bitPattern), results[2].map(\.bitPattern), "\(type)")
        }
    }
}
