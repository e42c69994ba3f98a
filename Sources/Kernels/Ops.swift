import CKernels
import Foundation

// Small f32 operations of the forward pass. All run on the calling thread in a fixed order.

/// out (n,) = x (n,) / sqrt(mean(x²) + eps) * weight (n,); the sum of squares accumulates in Double.
public func rmsNorm(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                    _ n: Int, _ eps: Float) {
    var sum: Double = 0
    for i in 0..<n { sum += Double(x[i]) * Double(x[i]) }
    let scale = Float(1 / (sum / Double(n) + Double(eps)).squareRoot())
    for i in 0..<n { out[i] = x[i] * scale * weight[i] }
}

/// x (n,) = softmax(x) in place: exp(x - max) / sum, the sum accumulated in Double.
public func softmax(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
    guard n > 0 else { return }
    var maximum = -Float.infinity
    for i in 0..<n { maximum = max(maximum, x[i]) }
    var sum: Double = 0
    for i in 0..<n {
        let e = expf(x[i] - maximum)
        x[i] = e
        sum += Double(e)
    }
    let inverse = Float(1 / sum)
    for i in 0..<n { x[i] *= inverse }
}

/// x (n,) = x / (1 + exp(-x)) in place.
public func silu(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { x[i] = x[i] / (1 + expf(-x[i])) }
}

/// out (n,) = a (n,) + b (n,); `out` may be `a` or `b`.
public func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { out[i] = a[i] + b[i] }
}

/// out (n,) = a (n,) * b (n,) elementwise; `out` may be `a` or `b`.
public func mul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { out[i] = a[i] * b[i] }
}

/// a (n,) · b (n,), accumulated in eight lanes then summed in a fixed order.
public func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    withUnsafeMutableBytes(of: &acc) { loom_dot_f32_lanes(a, b, Int64(n), $0.baseAddress!.assumingMemoryBound(to: Float.self)) }
    var i = n / 8 * 8
    var sum = acc.sum()
    while i < n {
        sum += a[i] * b[i]
        i += 1
    }
    return sum
}

/// Rotates x (heads, headDim) in place for `position`, NEOX layout (qwen2): element i pairs with
/// i + headDim/2, angle position · base^(-2i/headDim) for i in 0..<headDim/2.
public func ropeNeox(_ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, position: Int, base: Float) {
    rope(x, heads: heads, headDim: headDim, position: position, base: base) { i in (i, i + headDim / 2) }
}

/// Rotates x (heads, headDim) in place for `position`, normal layout (llama): element 2i pairs with
/// 2i + 1, angle position · base^(-2i/headDim) for i in 0..<headDim/2.
public func ropeNormal(_ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, position: Int, base: Float) {
    rope(x, heads: heads, headDim: headDim, position: position, base: base) { i in (2 * i, 2 * i + 1) }
}

/// Applies the rotation to the pairs given by `pair(i)`; angles computed in Double.
@inline(__always)
private func rope(_ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, position: Int, base: Float,
                  pair: (Int) -> (Int, Int)) {
    let half = headDim / 2
    for i in 0..<half {
        let theta = Double(position) * pow(Double(base), -2 * Double(i) / Double(headDim))
        let c = Float(cos(theta)), s = Float(sin(theta))
        let (a, b) = pair(i)
        for h in 0..<heads {
            let v = x + h * headDim
            let x0 = v[a], x1 = v[b]
            v[a] = x0 * c - x1 * s
            v[b] = x0 * s + x1 * c
        }
    }
}
