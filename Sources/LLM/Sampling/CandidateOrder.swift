/// Token ids in sampling order — highest score first, lower id first on ties — produced lazily:
/// the best 64 by partial selection, then eight times more each time more are needed.
struct CandidateOrder {
    private let scores: [Float]
    /// How many candidates exist at most (top-k, or the whole vocabulary).
    let limit: Int
    private var sorted: [Int] = []

    init(scores: [Float], limit: Int) {
        self.scores = scores
        self.limit = min(limit, scores.count)
    }

    /// The candidate at a rank, or nil past `limit`.
    mutating func candidate(at rank: Int) -> Int? {
        guard rank < limit else { return nil }
        if rank >= sorted.count { expand(toAtLeast: rank + 1) }
        return sorted[rank]
    }

    /// Whether `a` comes before `b`.
    @inline(__always)
    private static func precedes(_ a: Int, _ b: Int, _ scores: [Float]) -> Bool {
        scores[a] != scores[b] ? scores[a] > scores[b] : a < b
    }

    private mutating func expand(toAtLeast needed: Int) {
        let size = min(limit, max(needed, 64, sorted.count * 8))
        let scores = scores
        if size * 4 >= scores.count {
            sorted = Array(scores.indices.sorted { Self.precedes($0, $1, scores) }.prefix(size))
            return
        }
        // A heap of the best `size` so far, worst at the root.
        var heap: [Int] = []
        heap.reserveCapacity(size)
        func worse(_ a: Int, _ b: Int) -> Bool { Self.precedes(b, a, scores) }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                if left >= heap.count { return }
                let right = left + 1
                let worst = right < heap.count && worse(heap[right], heap[left]) ? right : left
                if !worse(heap[worst], heap[parent]) { return }
                heap.swapAt(parent, worst)
                parent = worst
            }
        }
        for token in scores.indices {
            if heap.count < size {
                heap.append(token)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    if !worse(heap[child], heap[parent]) { break }
                    heap.swapAt(child, parent)
                    child = parent
                }
            } else if Self.precedes(token, heap[0], scores) {
                heap[0] = token
                siftDown(0)
            }
        }
        sorted = heap.sorted { Self.precedes($0, $1, scores) }
    }
}
