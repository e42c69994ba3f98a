import AgentCore
import CKernels
import TestSupport
import XCTest
import GGUF
@testable import Kernels

/// int8MatMul (multi-token int8 dot products) against a naive product of the dequantized weights,
/// against matVec token by token (bit for bit), and across thread counts; the AVX2 activation
/// quantization against the portable one.
final class Int8MatMulTests: XCTestCase {
    private let types: [GGMLType] = [.q4_0, .q5_0, .q8_0, .q4_K, .q5_K, .q6_K]

    private func problem(_ type: GGMLType, rows: Int, cols: Int, n: Int, seed: UInt64) -> (w: [UInt8], x: [Float]) {
        var rng = SeededGenerator(seed: seed)
        let w = ReferenceQuants.randomBlocks(type, blocks: rows * cols / type.blockSize, using: &rng)
        let x = (0..<(n * cols)).map { _ in Float.random(in: -1...1, using: &rng) }
        return (w, x)
    }

    /// y (n, rows) = x (n, cols) @ Wᵀ through int8MatMul.
    private func product(_ type: GGMLType, _ w: [UInt8], _ x: [Float], rows: Int, cols: Int, n: Int,
                         pool: ThreadPool) -> [Float] {
        var y = [Float](repeating: .nan, count: n * rows)
        w.withUnsafeBytes { wp in
            x.withUnsafeBufferPointer { xp in
                let a = QuantizedActivations(for: type, x: xp.baseAddress!, n: n, cols: cols, pool: pool)
                y.withUnsafeMutableBufferPointer {
                    int8MatMul(type, weights: wp.baseAddress!, rows: rows, cols: cols, activations: a,
                               y: $0.baseAddress!, ldy: rows, pool: pool)
                }
            }
        }
        return y
    }

    func testEveryTypeAgainstNaiveProductAndMatVec() throws {
        if !Kernels.simdEnabled { try TestModels.requirement("int8 kernels need AVX2 (this CPU has no AVX2/FMA/F16C)") }
        let pool = ThreadPool(threadCount: 2)
        for type in types {
            XCTAssertEqual(Kernels.hasInt8MatMul(type), type.blockSize == 256, "\(type): matMul's choice")
            // Odd rows and token counts: a partial 4-token tile and a partial last chunk of rows.
            for (rows, n) in [(37, 1), (37, 7), (5, 4), (13, 10)] {
                let cols = type.blockSize == 256 ? 512 : 288
                let (w, x) = problem(type, rows: rows, cols: cols, n: n, seed: UInt64(type.rawValue) * 131 + UInt64(n))
                let y = product(type, w, x, rows: rows, cols: cols, n: n, pool: pool)
                w.withUnsafeBytes { wp in
                    let dense = ReferenceQuants.dequantize(type, wp.baseAddress!, count: rows * cols)
                    for t in 0..<n {
                        let xt = Array(x[(t * cols)..<((t + 1) * cols)])
                        var single = [Float](repeating: .nan, count: rows)
                        single.withUnsafeMutableBufferPointer {
                            matVec(type, weights: wp.baseAddress!, rows: rows, cols: cols, x: xt, y: $0.baseAddress!, pool: pool)
                        }
                        let xNorm = xt.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
                        for r in 0..<rows {
                            let row = dense[(r * cols)..<((r + 1) * cols)]
                            let exact = zip(row, xt).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                            let norms = row.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() * xNorm
                            // 8-bit activations: the error stays well under 1% of |w|·|x| (as for matVec).
                            XCTAssertLessThanOrEqual(abs(Double(y[t * rows + r]) - exact), 1e-2 * norms,
                                                     "\(type) y[\(t), \(r)] of (\(rows), \(n))")
                            XCTAssertEqual(y[t * rows + r].bitPattern, single[r].bitPattern,
                                           "\(type) y[\(t), \(r)] differs from matVec")
                        }
                    }
                }
            }
        }
    }

    func testManyRowsCrossRowBlocksAndThreadCounts() throws {
        if !Kernels.simdEnabled { try TestModels.requirement("int8 kernels need AVX2 (this CPU has no AVX2/FMA/F16C)") }
        let pools = [ThreadPool(threadCount: 1), ThreadPool(threadCount: 2), ThreadPool(threadCount: 3)]
        for type in [GGMLType.q4_K, .q6_K, .q8_0] {
            // More rows than one 96 KB row block of the C loop.
            let cols = 256, rows = type == .q8_0 ? 3001 : 701, n = 6
            let (w, x) = problem(type, rows: rows, cols: cols, n: n, seed: 7)
            let results = pools.map { product(type, w, x, rows: rows, cols: cols, n: n, pool: $0) }
            XCTAssertEqual(results[0].map(\.bitPattern), results[1].map(\.bitPattern), "\(type)")
            XCTAssertEqual(results[0].map(\.bitPattern), results[2].map(\.bitPattern), "\(type)")
            XCTAssertFalse(results[0].contains { $0.isNaN }, "\(type): an output was not written")
        }
    }

    func testSIMDActivationQuantizationMatchesPortable() throws {
        if !Kernels.simdEnabled { try TestModels.requirement("needs AVX2 (this CPU has no AVX2/FMA/F16C)") }
        var rng = SeededGenerator(seed: 2024)
        for vecType in [GGMLType.q8_0, .q8_K] {
            for scale in [Float(1), 1e-3, 300] {
                let count = 1024
                var x = (0..<count).map { _ in Float.random(in: -scale...scale, using: &rng) }
                x[5] = 0.5 * scale  // a value that lands on .5 steps for some scales
                for i in 256..<288 { x[i] = 0 }  // an all-zero block
                let bytes = Int(loom_activation_bytes(vecType.rawValue, Int64(count)))
                var simd = [UInt8](repeating: 0, count: bytes), portable = simd
                loom_quantize_activations(vecType.rawValue, x, &simd, Int64(count))
                Kernels.setSIMD(false)
                loom_quantize_activations(vecType.rawValue, x, &portable, Int64(count))
                Kernels.setSIMD(true)
                XCTAssertEqual(simd, portable, "\(vecType) scale \(scale)")
            }
        }
    }

    /// y (n, rows) = x (n, cols) @ Wᵀ on q4_K panels.
    private func panelProduct(_ panels: Q4KPanels, _ x: [Float], n: Int, pool: ThreadPool) -> [Float] {
        var y = [Float](repeating: .nan, count: n * panels.rows)
        x.withUnsafeBufferPointer { xp in
            let a = QuantizedActivations(for: .q4_K, x: xp.baseAddress!, n: n, cols: panels.cols, pool: pool)
            y.withUnsafeMutableBufferPointer {
                panelMatMul(panels, activations: a, y: $0.baseAddress!, ldy: panels.rows, pool: pool)
            }
        }
        return y
    }

    func testQ4KPanelsAgainstNaiveProductAndRowKernels() throws {
        let pool = ThreadPool(threadCount: 2), single = ThreadPool(threadCount: 1)
        for (rows, cols, n) in [(8, 256, 1), (24, 512, 3), (16, 768, 4), (40, 256, 9), (264, 1024, 6)] {
            let (w, x) = problem(.q4_K, rows: rows, cols: cols, n: n, seed: UInt64(rows * 7 + n))
            let panels = try XCTUnwrap(w.withUnsafeBytes { Q4KPanels(q4K: $0.baseAddress!, rows: rows, cols: cols) })
            let y = panelProduct(panels, x, n: n, pool: pool)
            let rowKernel = product(.q4_K, w, x, rows: rows, cols: cols, n: n, pool: pool)
            XCTAssertEqual(panelProduct(panels, x, n: n, pool: single).map(\.bitPattern), y.map(\.bitPattern),
                           "(\(rows), \(cols)) x \(n): 1 thread vs 2")
            Kernels.setSIMD(false)
            let portable = panelProduct(panels, x, n: n, pool: pool)
            Kernels.setSIMD(true)
            w.withUnsafeBytes { wp in
                let dense = ReferenceQuants.dequantize(.q4_K, wp.baseAddress!, count: rows * cols)
                for t in 0..<n {
                    let xt = x[(t * cols)..<((t + 1) * cols)]
                    let xNorm = xt.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
                    for r in 0..<rows {
                        let row = dense[(r * cols)..<((r + 1) * cols)]
                        let exact = zip(row, xt).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                        let norms = row.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() * xNorm
                        let v = Double(y[t * rows + r])
                        XCTAssertLessThanOrEqual(abs(v - exact), 1e-2 * norms, "y[\(t), \(r)] of (\(rows), \(cols)) x \(n)")
                        // Same quantized x, same integer sums: only the f32 order differs from the row kernels.
                        XCTAssertLessThanOrEqual(abs(v - Double(rowKernel[t * rows + r])), 1e-5 * norms, "panels vs rows y[\(t), \(r)]")
                        XCTAssertLessThanOrEqual(abs(v - Double(portable[t * rows + r])), 1e-5 * norms, "simd vs portable y[\(t), \(r)]")
                    }
                }
            }
        }
    }

    func testQ4KPanelsNeedWholePanels() {
        let w = [UInt8](repeating: 0, count: 12 * 144)
        w.withUnsafeBytes { wp in
            XCTAssertNil(Q4KPanels(q4K: wp.baseAddress!, rows: 12, cols: 256))
            XCTAssertNotNil(Q4KPanels(q4K: wp.baseAddress!, rows: 8, cols: 256))
        }
    }
}
