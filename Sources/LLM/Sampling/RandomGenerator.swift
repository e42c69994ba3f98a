import AgentCore

/// The sampler's random generator: xoshiro256** (Blackman & Vigna, 2018), seeded through SplitMix64.
///
/// Small, fast, and the same on every platform and Swift version — unlike
/// `SystemRandomNumberGenerator`, which Loom never uses for sampling, because a recorded seed must
/// replay the same tokens.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    private var s0, s1, s2, s3: UInt64

    /// Seeds the four state words with consecutive SplitMix64 outputs of `seed` (never all zero).
    public init(seed: UInt64) {
        var splitMix = SeededGenerator(seed: seed)
        s0 = splitMix.next()
        s1 = splitMix.next()
        s2 = splitMix.next()
        s3 = splitMix.next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    /// A uniform double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    @inline(__always)
    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
