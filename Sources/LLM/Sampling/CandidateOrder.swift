/// Token ids in sampling order — highest score first, lower id first on ties — produced lazily:
/// the best 64 by partial selection, then eight times more each time more are needed.
///
/// Each token is packed into one `UInt64` key (inverted order-preserving score bits, then the id), so
/// that ascending key order is sampling order and comparisons are plain integer compares.
struct CandidateOrder {
    private let keys: [UInt64]
    /// How many candidates exist at most (top-k, or the whole vocabulary).
    let limit: Int
    private var sorted: [Int] = []

    init(scores: [Float], limit: Int) {
        keys = scores.enumerated().map { id, score in
            let bits = score.bitPattern
            let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
            return UInt64(~ascending) << 32 | UInt64(id)
        }
        self.limit = min(limit, scores.count)
    }

    /// The candidate at a rank, or nil past `limit`.
    mutating func candidate(at rank: Int) -> Int? {
        guard rank < limit else { return nil }
        if rank >= sorted.count { expand(toAtLeast: rank + 1) }
        return sorted[rank]
    }

    private mutating func expand(toAtLeast needed: Int) {
        let size = min(limit, max(needed, 64, sorted.count * 8))
        if size * 16 >= keys.count {
            sorted = keys.sorted().prefix(size).map { Int($0 & 0xFFFF_FFFF) }
            return
        }
        // A max-heap of the best `size` keys so far (the worst kept key at the root).
        var heap: [UInt64] = []
        heap.reserveCapacity(size)
        for key in keys {
            if heap.count < size {
                heap.append(key)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    if heap[child] <= heap[parent] { break }
                    heap.swapAt(child, parent)
                    child = parent
                }
            } else if key < heap[0] {
                heap[0] = key
                var parent = 0
                while true {
                    let left = 2 * parent + 1
                    if left >= heap.count { break }
                    let right = left + 1
                    let larger = right < heap.count && heap[right] > heap[left] ? right : left
                    if heap[larger] <= heap[parent] { break }
                    heap.swapAt(parent, larger)
                    parent = larger
                }
            }
        }
        sorted = heap.sorted().map { Int($0 & 0xFFFF_FFFF) }
    }
}
