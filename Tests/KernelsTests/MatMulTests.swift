import AgentCore
import XCTest
import GGUF
@testable import Kernels

/// sgemmMatMul (dequantized tiles + sgemm) against a naive product, and across thread counts.
final class MatMulTests: XCTestCase {
    private func run(_ type: GGMLType, _ w: [UInt8], _ x: [Float], rows: Int, cols: Int, n: Int, pool: ThreadPool) -> [Float] {
        var y = [Float](repeating: .nan, count: n * rows)
        w.withUnsafeBytes { wp in
            y.withUnsafeMutableBufferPointer {
                sgemmMatMul(type, weights: wp.baseAddress!, rows: rows, cols: cols, x: x, n: n, y: $0.baseAddress!, pool: pool)
            }
        }
        return y
    }

    func testAgainstNaiveProduct() {
        let pool = ThreadPool(threadCount: 2)
        for type in [GGMLType.f32, .f16, .q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K] {
            // More rows than one tile so several tiles and a partial last tile are exercised.
            let cols = type.blockSize == 256 ? 256 : 96
            let rows = matMulTileRows(cols: cols) * 2 + 5, n = 7
            var rng = SeededGenerator(seed: UInt64(type.rawValue) * 31 + 5)
            let w = ReferenceQuants.randomBlocks(type, blocks: rows * cols / type.blockSize, using: &rng)
            let x = (0..<(n * cols)).map { _ in Float.random(in: -1...1, using: &rng) }
            let y = run(type, w, x, rows: rows, cols: cols, n: n, pool: pool)
            w.withUnsafeBytes { wp in
                let dense = ReferenceQuants.dequantize(type, wp.baseAddress!, count: rows * cols)
                for t in 0..<n {
                    for r in 0..<rows {
                        var exact = 0.0, norm = 0.0
                        for c in 0..<cols {
                            exact += Double(dense[r * cols + c]) * Double(x[t * cols + c])
                            norm += abs(Double(dense[r * cols + c]) * Double(x[t * cols + c]))
                        }
                        if abs(Double(y[t * rows + r]) - exact) > 1e-5 * norm + 1e-6 {
                            return XCTFail("\(type) y[\(t), \(r)] = \(y[t * rows + r]), expected \(exact)")
                        }
                    }
                }
            }
            let single = run(type, w, x, rows: rows, cols: cols, n: n, pool: ThreadPool(threadCount: 1))
            XCTAssertEqual(single.map(\.bitPattern), y.map(\.bitPattern), "\(type): 1 thread vs 2")
        }
    }
}
