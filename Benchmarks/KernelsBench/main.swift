// loom-kernels-bench: throughput of the quantized matVec (decode) and the tiled sgemm matMul
// (prefill) on the matrix shapes of Qwen2.5-Coder 0.5B/1.5B, with 1 and 2 threads.
//
//   swift run -c release loom-kernels-bench [--quick] [--prefill]
//
// --prefill measures only the prefill kernels on one thread in thread CPU time: dequantized tiles +
// sgemm, the int8 row kernels and the q4_K panels, on 512 tokens.
//
// matVec cycles through enough copies of each matrix (≥ 256 MB) that the weights stream from
// memory as they do in decode; the figure is weight bytes read per second.
import Foundation
import GGUF
import Kernels
import COpenBLAS

/// SplitMix64 for reproducible random weights.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random blocks of `type` with every f16 field set to a small finite value.
func randomWeights(_ type: GGMLType, rows: Int, cols: Int, rng: inout SplitMix64) -> UnsafeMutableRawPointer {
    let bytes = type.rowBytes(cols) * rows
    let p = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    let words = p.bindMemory(to: UInt64.self, capacity: bytes / 8)
    for i in 0..<(bytes / 8) { words[i] = rng.next() }
    // Reasonable f16 scales: overwrite the (d, dmin) words with 0x2000-ish halves (~0.008).
    let halves: [Int]
    switch type {
    case .q4_0, .q5_0, .q8_0: halves = [0]
    case .q4_1, .q5_1, .q4_K, .q5_K: halves = [0, 2]
    case .q6_K: halves = [208]
    default: halves = []
    }
    for block in 0..<(bytes / type.typeSize) {
        for h in halves { p.storeBytes(of: UInt16(0x2000), toByteOffset: block * type.typeSize + h, as: UInt16.self) }
    }
    return p
}

/// CPU seconds the calling thread spends in `body` (immune to other processes taking the core).
func cpuSeconds(_ body: () -> Void) -> Double {
    var a = timespec(), b = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a)
    body()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b)
    return Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) / 1e9
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let quick = CommandLine.arguments.contains("--quick")
var rng = SplitMix64(state: 1)
let pools = [1: ThreadPool(threadCount: 1), 2: ThreadPool(threadCount: 2)]

if CommandLine.arguments.contains("--prefill") {
    print("prefill, 512 tokens, 1 thread: GFLOP/s of thread CPU time")
    for (type, rows, cols) in [(GGMLType.q4_K, 8960, 1536), (.q4_K, 1536, 8960), (.q6_K, 1536, 8960), (.q5_0, 4864, 896), (.q8_0, 896, 896)] {
        let n = 512, pool = pools[1]!
        let w = randomWeights(type, rows: rows, cols: cols, rng: &rng)
        let x = (0..<(n * cols)).map { _ in Float.random(in: -1...1, using: &rng) }
        var y = [Float](repeating: 0, count: n * rows)
        let flops = 2 * Double(n * rows * cols)
        var line = "  \(type) \(rows)x\(cols):"
        let sgemm = cpuSeconds { sgemmMatMul(type, weights: w, rows: rows, cols: cols, x: x, n: n, y: &y, pool: pool) }
        line += String(format: "  sgemm %.1f", flops / sgemm / 1e9)
        let int8 = cpuSeconds { matMul(type, weights: w, rows: rows, cols: cols, x: x, n: n, y: &y, pool: pool) }
        line += String(format: "  int8 rows %.1f", flops / int8 / 1e9)
        if type == .q4_K, let panels = Q4KPanels(q4K: w, rows: rows, cols: cols) {
            let a = QuantizedActivations(for: type, x: x, n: n, cols: cols, pool: pool)
            let t = cpuSeconds { panelMatMul(panels, activations: a, y: &y, ldy: rows, pool: pool) }
            line += String(format: "  q4_K panels %.1f (without quantizing x)", flops / t / 1e9)
        }
        print(line)
        w.deallocate()
    }
    exit(0)
}
print("SIMD kernels: \(Kernels.simdEnabled ? "AVX2/FMA/F16C" : "portable")")
print("matVec (decode): rows x cols, weight GB/s and µs per call")
let shapes = [(4864, 896), (896, 4864), (151_936, 896), (8960, 1536), (1536, 8960)]
for type in [GGMLType.q4_K, .q6_K, .q5_0, .q8_0, .q4_1] {
    for (rows, cols) in shapes where cols % type.blockSize == 0 {
        let matrixBytes = type.rowBytes(cols) * rows
        let copies = max(1, (256 << 20) / matrixBytes)
        let weights = (0..<copies).map { _ in randomWeights(type, rows: rows, cols: cols, rng: &rng) }
        let x = (0..<cols).map { _ in Float.random(in: -1...1, using: &rng) }
        var y = [Float](repeating: 0, count: rows)
        var line = "  \(type) \(rows)x\(cols) (\(matrixBytes >> 10) KiB):"
        for threads in [1, 2] {
            let pool = pools[threads]!
            let calls = max(copies * (quick ? 1 : 3), 8)
            for w in weights { matVec(type, weights: w, rows: rows, cols: cols, x: x, y: &y, pool: pool) }
            let t = seconds {
                for i in 0..<calls { matVec(type, weights: weights[i % copies], rows: rows, cols: cols, x: x, y: &y, pool: pool) }
            }
            let gbps = Double(matrixBytes) * Double(calls) / t / 1e9
            line += String(format: "  %dT %.1f GB/s %.0f µs", threads, gbps, t / Double(calls) * 1e6)
            if threads == 1 {
                let cpu = cpuSeconds {
                    for i in 0..<calls { matVec(type, weights: weights[i % copies], rows: rows, cols: cols, x: x, y: &y, pool: pool) }
                }
                line += String(format: " (%.1f GB/s of CPU time)", Double(matrixBytes) * Double(calls) / cpu / 1e9)
            }
        }
        print(line)
        weights.forEach { $0.deallocate() }
    }
}

print("matMul (prefill, 512 tokens): GFLOP/s")
for (type, rows, cols) in [(GGMLType.q5_0, 896, 896), (.q5_0, 4864, 896), (.q6_K, 896, 4864), (.q4_K, 8960, 1536), (.q4_K, 1536, 8960)] {
    let n = 512
    let w = randomWeights(type, rows: rows, cols: cols, rng: &rng)
    let x = (0..<(n * cols)).map { _ in Float.random(in: -1...1, using: &rng) }
    var y = [Float](repeating: 0, count: n * rows)
    var line = "  \(type) \(rows)x\(cols):"
    for threads in [1, 2] {
        let pool = pools[threads]!
        matMul(type, weights: w, rows: rows, cols: cols, x: x, n: n, y: &y, pool: pool)
        let reps = quick ? 1 : 3
        let t = seconds { for _ in 0..<reps { matMul(type, weights: w, rows: rows, cols: cols, x: x, n: n, y: &y, pool: pool) } }
        line += String(format: "  %dT %.1f GFLOP/s", threads, 2 * Double(n * rows * cols) * Double(reps) / t / 1e9)
    }
    print(line)
    w.deallocate()
}

// Threads inside OpenBLAS instead of ours: dequantize the whole matrix, then one cblas_sgemm with
// OpenBLAS on 2 threads (the alternative matMul design), against matMul with the pool's 2 threads.
print("matMul 512 tokens, 2 threads: pool tiles (OpenBLAS 1 thread) vs one sgemm with OpenBLAS 2 threads")
for (type, rows, cols) in [(GGMLType.q5_0, 4864, 896), (.q4_K, 8960, 1536)] {
    let n = 512
    let w = randomWeights(type, rows: rows, cols: cols, rng: &rng)
    let x = (0..<(n * cols)).map { _ in Float.random(in: -1...1, using: &rng) }
    var y = [Float](repeating: 0, count: n * rows)
    let dense = UnsafeMutablePointer<Float>.allocate(capacity: rows * cols)
    let flops = 2 * Double(n * rows * cols)
    var ours = [Double](), blas = [Double]()
    for _ in 0..<(quick ? 2 : 4) {
        Kernels.setOpenBLASThreads(1)
        ours.append(seconds { matMul(type, weights: w, rows: rows, cols: cols, x: x, n: n, y: &y, pool: pools[2]!) })
        Kernels.setOpenBLASThreads(2)
        blas.append(seconds {
            dequantize(type, w, dense, count: rows * cols)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(n), blasint(rows), blasint(cols),
                        1, x, blasint(cols), dense, blasint(cols), 0, &y, blasint(rows))
        })
    }
    Kernels.setOpenBLASThreads(1)
    print(String(format: "  %@ %dx%d: pool %.1f GFLOP/s, OpenBLAS threads %.1f GFLOP/s (best of runs)",
                 type.description, rows, cols, flops / ours.min()! / 1e9, flops / blas.min()! / 1e9))
    dense.deallocate()
    w.deallocate()
}
