/// One model's line of requests: one generation at a time (the forward pass already uses every
/// core), the others waiting in arrival order, and no more waiting than `capacity` (beyond it a
/// request is turned away at once, as a 429, rather than left to time out).
actor ModelQueue {
    /// A place in the line.
    struct Ticket: Hashable, Sendable { fileprivate let number: Int }

    /// Requests allowed to wait while one runs.
    let capacity: Int
    private var holder: Int?
    private var waiting: [Int] = []
    private var wakeups: [Int: CheckedContinuation<Void, Never>] = [:]
    private var issued = 0

    /// Creates a queue.
    init(capacity: Int) { self.capacity = capacity }

    /// Whether a generation runs, and how many requests wait.
    var status: (running: Bool, waiting: Int) { (holder != nil, waiting.count) }

    /// Takes a place in the line, or fails at once when the line is full.
    /// - Throws: `OpenAIError` (429) when `capacity` requests already wait.
    func admit() throws -> Ticket {
        guard holder == nil || waiting.count < capacity else {
            throw OpenAIError(status: .tooManyRequests, type: "rate_limit_error", code: "queue_full",
                              message: "the model is busy and \(waiting.count) requests already wait; try again later")
        }
        return admitAlways()
    }

    /// Takes a place in the line whatever its length (for the calls of a request already admitted).
    func admitAlways() -> Ticket {
        issued += 1
        if holder == nil { holder = issued } else { waiting.append(issued) }
        return Ticket(number: issued)
    }

    /// Waits until `ticket` is first in line.
    func wait(_ ticket: Ticket) async {
        guard holder != ticket.number else { return }
        await withCheckedContinuation { wakeups[ticket.number] = $0 }
    }

    /// Gives up `ticket`'s place (after its generation, or instead of it); the next in line goes on.
    func release(_ ticket: Ticket) {
        if holder == ticket.number {
            holder = nil
            guard !waiting.isEmpty else { return }
            let next = waiting.removeFirst()
            holder = next
            wakeups.removeValue(forKey: next)?.resume()
        } else {
            waiting.removeAll { $0 == ticket.number }
            wakeups.removeValue(forKey: ticket.number)?.resume()
        }
    }

    /// Runs `body` when `ticket` is first in line, then gives up the place, whether `body` returns or throws.
    nonisolated func withTurn<T: Sendable>(_ ticket: Ticket, _ body: () async throws -> T) async throws -> T {
        await wait(ticket)
        do {
            let value = try await body()
            await release(ticket)
            return value
        } catch {
            await release(ticket)
            throw error
        }
    }
}
