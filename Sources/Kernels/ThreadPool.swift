import CKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed set of threads that run one parallel loop at a time with a static, deterministic partition.
///
/// `parallelFor(count)` splits `0..<count` into `threadCount` contiguous ranges; range `t` always goes
/// to thread `t` (the caller is thread 0). Workers spin briefly after each loop (decode issues a few
/// hundred loops per token) and then sleep on a condition variable. Not reentrant: call it from one
/// thread at a time, and not from inside a body.
public final class ThreadPool: @unchecked Sendable {
    /// Number of threads, the caller included.
    public let threadCount: Int

    private let state: State
    private var workers: [pthread_t] = []
    /// Per-thread scratch memory, reused across calls (index: thread number, plus one extra slot).
    private var scratch: [Scratch]

    /// The state the workers share with the caller (kept apart so workers never hold the pool).
    private final class State: @unchecked Sendable {
        let generation = Atomic<Int>(0)
        let pending = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        let spinIterations: Int
        /// The loop body for the current generation, called with the thread number.
        var task: ((Int) -> Void)?
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

        init(spinIterations: Int) {
            self.spinIterations = spinIterations
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(condition, nil)
        }

        deinit {
            pthread_mutex_destroy(mutex)
            pthread_cond_destroy(condition)
            mutex.deallocate()
            condition.deallocate()
        }

        /// The worker loop of thread `index`.
        func run(index: Int) {
            var seen = 0
            while true {
                var spins = 0
                var current = generation.load(ordering: .acquiring)
                while current == seen {
                    if spins < spinIterations {
                        loom_cpu_relax()
                        spins += 1
                    } else {
                        pthread_mutex_lock(mutex)
                        while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(condition, mutex) }
                        pthread_mutex_unlock(mutex)
                    }
                    current = generation.load(ordering: .acquiring)
                }
                seen = current
                if stopping.load(ordering: .acquiring) { return }
                task?(index)
                pending.wrappingSubtract(1, ordering: .releasing)
            }
        }

        /// Starts generation `+1` for all workers.
        func publish() {
            generation.wrappingAdd(1, ordering: .releasing)
            pthread_mutex_lock(mutex)
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
    }

    /// Reusable memory of one thread.
    final class Scratch {
        private(set) var pointer: UnsafeMutableRawPointer?
        private(set) var capacity = 0

        /// At least `bytes` bytes, 64-byte aligned; valid until the next call.
        func buffer(_ bytes: Int) -> UnsafeMutableRawPointer {
            if let pointer, capacity >= bytes { return pointer }
            pointer?.deallocate()
            capacity = max(bytes, 4096)
            let p = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
            pointer = p
            return p
        }

        deinit { pointer?.deallocate() }
    }

    /// Starts `threadCount - 1` workers (at least 1 thread in total).
    /// - Parameter spinIterations: pause instructions a worker spins before sleeping.
    public init(threadCount: Int, spinIterations: Int = 20_000) {
        self.threadCount = max(1, threadCount)
        state = State(spinIterations: spinIterations)
        scratch = (0...self.threadCount).map { _ in Scratch() }
        for index in 1..<self.threadCount {
            let state = self.state
            let box = Unmanaged.passRetained(WorkerStart { state.run(index: index) }).toOpaque()
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { arg in
                let start = Unmanaged<WorkerStart>.fromOpaque(arg!).takeRetainedValue()
                start.body()
                return nil
            }, box)
            precondition(started == 0, "cannot start a thread: error \(started)")
            workers.append(thread)
        }
    }

    deinit {
        state.stopping.store(true, ordering: .releasing)
        state.publish()
        for thread in workers { pthread_join(thread, nil) }
    }

    /// The static partition: the range of `0..<count` that thread `index` of `parts` gets.
    public static func chunk(_ index: Int, of parts: Int, count: Int) -> Range<Int> {
        let base = count / parts, extra = count % parts
        let start = index * base + min(index, extra)
        return start..<(start + base + (index < extra ? 1 : 0))
    }

    /// Runs `body` on the ranges of a static partition of `0..<count`, one range per thread.
    public func parallelFor(_ count: Int, _ body: (Range<Int>) -> Void) {
        parallelFor(count) { range, _ in body(range) }
    }

    /// Runs `body(range, thread)` on a static partition of `0..<count`; `thread` is in `0..<threadCount`.
    public func parallelFor(_ count: Int, _ body: (Range<Int>, Int) -> Void) {
        guard count > 0 else { return }
        guard threadCount > 1, count > 1 else {
            body(0..<count, 0)
            return
        }
        let parts = threadCount
        withoutActuallyEscaping(body) { body in
            let task: (Int) -> Void = { index in
                let range = Self.chunk(index, of: parts, count: count)
                if !range.isEmpty { body(range, index) }
            }
            state.task = task
            state.pending.store(parts - 1, ordering: .relaxed)
            state.publish()
            task(0)
            var spins = 0
            while state.pending.load(ordering: .acquiring) != 0 {
                spins += 1
                if spins < state.spinIterations { loom_cpu_relax() } else { sched_yield() }
            }
            state.task = nil
        }
    }

    /// Scratch memory of thread `thread` (or, for `thread == threadCount`, the caller's second buffer),
    /// at least `bytes` long, kept for reuse. Use it only from that thread, inside one call.
    func scratch(thread: Int, bytes: Int) -> UnsafeMutableRawPointer {
        scratch[thread].buffer(bytes)
    }
}

/// The closure a new thread runs.
private final class WorkerStart {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}
