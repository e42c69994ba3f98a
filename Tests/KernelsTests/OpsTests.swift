import AgentCore
import XCTest
@testable import Kernels

/// The f32 helpers against naive formulas computed in Double.
final class OpsTests: XCTestCase {
    private func randomVector(_ n: Int, _ rng: inout SeededGenerator) -> [Float] {
        (0..<n).map { _ in Float.random(in: -3...3, using: &rng) }
    }

    func testRMSNormSoftmaxSiluAddMulDot() {
        var rng = SeededGenerator(seed: 3)
        let n = 133
        let x = randomVector(n, &rng), w = randomVector(n, &rng)
        var out = [Float](repeating: 0, count: n)
        rmsNorm(x, w, &out, n, 1e-6)
        let meanSquare = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
        for i in 0..<n {
            XCTAssertEqual(Double(out[i]), Double(x[i]) / (meanSquare + 1e-6).squareRoot() * Double(w[i]), accuracy: 1e-5)
        }

        var s = x
        softmax(&s, n)
        let maximum = x.max()!
        let total = x.reduce(0.0) { $0 + exp(Double($1 - maximum)) }
        for i in 0..<n { XCTAssertEqual(Double(s[i]), exp(Double(x[i] - maximum)) / total, accuracy: 1e-7) }
        XCTAssertEqual(s.reduce(0, +), 1, accuracy: 1e-5)

        var si = x
        silu(&si, n)
        for i in 0..<n { XCTAssertEqual(Double(si[i]), Double(x[i]) / (1 + exp(-Double(x[i]))), accuracy: 1e-6) }

        var sum = [Float](repeating: 0, count: n), product = sum
        add(x, w, &sum, n)
        mul(x, w, &product, n)
        for i in 0..<n {
            XCTAssertEqual(sum[i], x[i] + w[i])
            XCTAssertEqual(product[i], x[i] * w[i])
        }
        let exact = zip(x, w).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(Double(dot(x, w, n)), exact, accuracy: 1e-4)
    }

    func testRopeLayouts() {
        var rng = SeededGenerator(seed: 11)
        let heads = 3, d = 64, position = 17
        let base: Float = 1_000_000
        let x = randomVector(heads * d, &rng)
        var neox = x, normal = x
        ropeNeox(&neox, heads: heads, headDim: d, position: position, base: base)
        ropeNormal(&normal, heads: heads, headDim: d, position: position, base: base)
        for h in 0..<heads {
            for i in 0..<(d / 2) {
                let theta = Double(position) * pow(Double(base), -2 * Double(i) / Double(d))
                // NEOX: (x_i, x_{i+d/2}) rotated as a complex number by theta.
                let a = Double(x[h * d + i]), b = Double(x[h * d + i + d / 2])
                XCTAssertEqual(Double(neox[h * d + i]), a * cos(theta) - b * sin(theta), accuracy: 1e-5)
                XCTAssertEqual(Double(neox[h * d + i + d / 2]), a * sin(theta) + b * cos(theta), accuracy: 1e-5)
                // Normal: (x_{2i}, x_{2i+1}).
                let c = Double(x[h * d + 2 * i]), e = Double(x[h * d + 2 * i + 1])
                XCTAssertEqual(Double(normal[h * d + 2 * i]), c * cos(theta) - e * sin(theta), accuracy: 1e-5)
                XCTAssertEqual(Double(normal[h * d + 2 * i + 1]), c * sin(theta) + e * cos(theta), accuracy: 1e-5)
            }
        }
        // Position 0 is the identity.
        var zero = x
        ropeNeox(&zero, heads: heads, headDim: d, position: 0, base: base)
        XCTAssertEqual(zero, x)
    }
}
