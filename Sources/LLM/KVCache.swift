/// The keys and values of every position already computed, for every layer, in f32.
///
/// Layout: keys and values are each (layerCount, capacity, kvDimension), row-major, so the K rows
/// of consecutive positions of one layer are contiguous and a batched K projection (n, kvDim)
/// writes straight into the cache. The values stored are rounded to f16, as llama.cpp stores its
/// cache (its single-token logits are matched more closely so), but kept in f32 slots: a full cache
/// of 4,096 positions is 100 MB (qwen 0.5B) / 235 MB (1.5B), of the default 16,384 positions 0.4 GB /
/// 0.94 GB, attention is a small share of the time at these sizes, and the attention kernels stay
/// f32. The memory comes from `calloc` (fresh zero pages from the kernel): pages are only touched,
/// and count in RSS, as positions are filled, so a short run of a long context costs little.
///
/// `tokens` are the token ids whose keys/values are stored at positions `0 ..< tokens.count`;
/// rolling back is truncating `tokens` (later rows are simply overwritten).
final class KVCache {
    /// Number of layers.
    let layerCount: Int
    /// Positions the cache can hold.
    let capacity: Int
    /// Width of one position's keys (headCountKV · headDim).
    let kvDimension: Int
    /// Tokens stored at positions `0 ..< tokens.count`.
    var tokens: [Int] = []

    private let keys: UnsafeMutablePointer<Float>
    private let values: UnsafeMutablePointer<Float>

    /// Allocates a zeroed cache.
    /// - Throws: `LLMError.invalidArgument` if the memory cannot be had.
    init(layerCount: Int, capacity: Int, kvDimension: Int) throws {
        self.layerCount = layerCount
        self.capacity = capacity
        self.kvDimension = kvDimension
        let count = layerCount * capacity * kvDimension
        // calloc: untouched pages stay out of the resident set.
        guard let k = calloc(count, MemoryLayout<Float>.stride), let v = calloc(count, MemoryLayout<Float>.stride) else {
            throw LLMError.invalidArgument("cannot allocate a KV cache of \(2 * count * 4) bytes")
        }
        keys = k.assumingMemoryBound(to: Float.self)
        values = v.assumingMemoryBound(to: Float.self)
    }

    deinit {
        free(keys)
        free(values)
    }

    /// Bytes the cache occupies when full.
    var byteCount: Int { 2 * layerCount * capacity * kvDimension * MemoryLayout<Float>.stride }

    /// The key row of `position` in `layer`, (kvDim,); rows of later positions follow contiguously.
    func keys(layer: Int, position: Int) -> UnsafeMutablePointer<Float> {
        keys + (layer * capacity + position) * kvDimension
    }

    /// The value row of `position` in `layer`, (kvDim,); rows of later positions follow contiguously.
    func values(layer: Int, position: Int) -> UnsafeMutablePointer<Float> {
        values + (layer * capacity + position) * kvDimension
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
