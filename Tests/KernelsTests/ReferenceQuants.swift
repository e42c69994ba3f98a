import Foundation
import GGUF

/// Naive reference dequantizers written from the ggml block specification, one element at a time
/// (element index → bytes), independent of the block loops in CKernels.
enum ReferenceQuants {
    static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    static func byte(_ p: UnsafeRawPointer, _ offset: Int) -> Int { Int(p.load(fromByteOffset: offset, as: UInt8.self)) }

    /// Element `e` of a block at `b`.
    static func element(_ type: GGMLType, _ b: UnsafeRawPointer, _ e: Int) -> Float {
        switch type {
        case .f32: return b.loadUnaligned(fromByteOffset: 4 * e, as: Float.self)
        case .f16: return half(b, 2 * e)
        case .bf16: return Float(bitPattern: UInt32(b.loadUnaligned(fromByteOffset: 2 * e, as: UInt16.self)) << 16)
        case .q4_0, .q4_1:
            let qsOffset = type == .q4_0 ? 2 : 4
            let byteValue = byte(b, qsOffset + e % 16)
            let q = e < 16 ? byteValue & 15 : byteValue >> 4
            return type == .q4_0 ? half(b, 0) * Float(q - 8) : half(b, 0) * Float(q) + half(b, 2)
        case .q5_0, .q5_1:
            let hOffset = type == .q5_0 ? 2 : 4
            let qh = b.loadUnaligned(fromByteOffset: hOffset, as: UInt32.self)
            let byteValue = byte(b, hOffset + 4 + e % 16)
            let q = (e < 16 ? byteValue & 15 : byteValue >> 4) | Int((qh >> UInt32(e)) & 1) << 4
            return type == .q5_0 ? half(b, 0) * Float(q - 16) : half(b, 0) * Float(q) + half(b, 2)
        case .q8_0:
            return half(b, 0) * Float(Int8(bitPattern: UInt8(byte(b, 2 + e))))
        case .q2_K:
            // scales[16] @0, qs[64] @16, d @80, dmin @82
            let part = e / 128, k = (e % 128) / 32, l = e % 32
            let q = (byte(b, 16 + 32 * part + l) >> (2 * k)) & 3
            let sc = byte(b, 8 * part + 2 * k + l / 16)
            return half(b, 80) * Float(sc & 15) * Float(q) - half(b, 82) * Float(sc >> 4)
        case .q3_K:
            // hmask[32] @0, qs[64] @32, scales[12] @96, d @108
            let part = e / 128, k = (e % 128) / 32, l = e % 32
            var q = (byte(b, 32 + 32 * part + l) >> (2 * k)) & 3
            if byte(b, l) & (1 << (4 * part + k)) == 0 { q -= 4 }
            let j = 8 * part + 2 * k + l / 16
            let low = (byte(b, 96 + j % 8) >> (4 * (j / 8))) & 15
            let high = (byte(b, 96 + 8 + j % 4) >> (2 * (j / 4))) & 3
            return half(b, 108) * Float((low | high << 4) - 32) * Float(q)
        case .q4_K, .q5_K:
            // d @0, dmin @2, scales[12] @4, (q5_K: qh[32] @16), qs[128] @16 or @48
            let chunk = e / 64, l = e % 32, upper = (e % 64) >= 32
            let qsOffset = type == .q4_K ? 16 : 48
            let byteValue = byte(b, qsOffset + 32 * chunk + l)
            var q = upper ? byteValue >> 4 : byteValue & 15
            if type == .q5_K { q += ((byte(b, 16 + l) >> (2 * chunk + (upper ? 1 : 0))) & 1) << 4 }
            let (sc, m) = scaleMinK4(b + 4, 2 * chunk + (upper ? 1 : 0))
            return half(b, 0) * Float(sc) * Float(q) - half(b, 2) * Float(m)
        case .q6_K:
            // ql[128] @0, qh[64] @128, scales[16] @192 (int8), d @208
            let part = e / 128, g = (e % 128) / 32, l = e % 32
            let lowByte = byte(b, 64 * part + l + (g % 2 == 1 ? 32 : 0))
            let low = g < 2 ? lowByte & 15 : lowByte >> 4
            let high = (byte(b, 128 + 32 * part + l) >> (2 * g)) & 3
            let scale = Int8(bitPattern: UInt8(byte(b, 192 + 8 * part + 2 * g + l / 16)))
            return half(b, 208) * Float(scale) * Float((low | high << 4) - 32)
        default:
            fatalError("no reference for \(type)")
        }
    }

    /// get_scale_min_k4: the 6-bit scale and min of sub-block j from the 12 packed bytes at s.
    static func scaleMinK4(_ s: UnsafeRawPointer, _ j: Int) -> (Int, Int) {
        if j < 4 { return (byte(s, j) & 63, byte(s, j + 4) & 63) }
        return ((byte(s, j + 4) & 15) | (byte(s, j - 4) >> 6) << 4, (byte(s, j + 4) >> 4) | (byte(s, j) >> 6) << 4)
    }

    /// dst (count,) by the reference.
    static func dequantize(_ type: GGMLType, _ src: UnsafeRawPointer, count: Int) -> [Float] {
        (0..<count).map { i in element(type, src + (i / type.blockSize) * type.typeSize, i % type.blockSize) }
    }

    /// Offsets of the f16 scale fields of each block type (set to sane values in random blocks).
    static func halfFields(_ type: GGMLType) -> [Int] {
        switch type {
        case .q4_0, .q5_0, .q8_0: return [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: return [0, 2]
        case .q2_K: return [80, 82]
        case .q3_K: return [108]
        case .q6_K: return [208]
        default: return []
        }
    }

    /// `blocks` random blocks of `type` (elements for f32/f16/bf16), scales in a realistic range.
    static func randomBlocks<G: RandomNumberGenerator>(_ type: GGMLType, blocks: Int, using rng: inout G) -> [UInt8] {
        var bytes = (0..<(blocks * type.typeSize)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes.withUnsafeMutableBytes { p in
            for block in 0..<blocks {
                let base = block * type.typeSize
                switch type {
                case .f32: p.storeBytes(of: Float.random(in: -2...2, using: &rng), toByteOffset: base, as: Float.self)
                case .f16: p.storeBytes(of: Float16(Float.random(in: -2...2, using: &rng)).bitPattern, toByteOffset: base, as: UInt16.self)
                case .bf16:
                    let bits = Float.random(in: -2...2, using: &rng).bitPattern >> 16
                    p.storeBytes(of: UInt16(bits), toByteOffset: base, as: UInt16.self)
                default:
                    for field in halfFields(type) {
                        let value = Float16(Float.random(in: -0.05...0.05, using: &rng))
                        p.storeBytes(of: value.bitPattern, toByteOffset: base + field, as: UInt16.self)
                    }
                }
            }
        }
        return bytes
    }
}
