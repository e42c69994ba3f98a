import CKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed set of threads that run one parallel loop at a time.
///
/// `parallelFor(count)` cuts `0..<count` into a fixed list of contiguous chunks (a function of `count`
/// and `threadCount` only: `chunk(_:of:count:)`); threads claim whole chunks from a shared counter, the
/// caller included. Every index is processed exactly once, by one thread, so a body that computes each
/// output from its own index gives the same result for any thread count and any scheduling. Claiming
/// (rather than assigning chunk t to thread t) keeps a loop from waiting on a worker that the OS has
/// descheduled on a busy machine: the caller closes the loop once all chunks are done and only waits
/// for workers that are inside it. Workers spin briefly after each loop (decode issues a few hundred
/// loops per token) and then sleep on a condition variable. A worker descheduled inside a chunk still
/// makes the caller wait; when such waits cost more than the workers save (another process holding a
/// core), loops run on the caller alone for a while (`ParallelismGovernor`), so that more threads are
/// never much slower than one. Not reentrant: call it from one thread at a time, and not from inside
/// a body.
public final class ThreadPool: @unchecked Sendable {
    /// Number of threads, the caller included.
    public let threadCount: Int

    private let state: State
    private var workers: [pthread_t] = []
    /// Per-thread scratch memory, reused across calls (index: thread number, plus one extra slot).
    private var scratch: [Scratch]
    /// Runs loops on the caller alone while the workers' waits cost more than they save.
    var governor = ParallelismGovernor()

    /// The state the workers share with the caller (kept apart so workers never hold the pool).
    private final class State: @unchecked Sendable {
        let generation = Atomic<Int>(0)
        /// Next chunk to claim in the current loop.
        let nextChunk = Atomic<Int>(0)
        /// Workers inside the current loop.
        let active = Atomic<Int>(0)
        /// Set when the caller has finished the loop; workers that see it stay out.
        let closed = Atomic<Bool>(true)
        let stopping = Atomic<Bool>(false)
        let spinIterations: Int
        /// The loop body for the current loop, called with (chunk, thread number); valid while open.
        var task: ((Int, Int) -> Void)?
        var chunks = 0
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

        /// Claims and runs chunks of the current loop until none is left; returns how many it ran.
        @discardableResult
        func work(thread: Int) -> Int {
            guard let task else { return 0 }
            var ran = 0
            while true {
                let chunk = nextChunk.wrappingAdd(1, ordering: .relaxed).oldValue
                guard chunk < chunks else { return ran }
                task(chunk, thread)
                ran += 1
            }
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
                // Enter, then check that the loop is still open (the caller closes, then waits for
                // `active` to drop to zero: one of the two always sees the other).
                active.wrappingAdd(1, ordering: .sequentiallyConsistent)
                if !closed.load(ordering: .sequentiallyConsistent) { work(thread: index) }
                active.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            }
        }

        /// Wakes all workers for a new loop (or for stopping).
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

    /// Chunk `index` of the fixed partition of `0..<count` into `parts` contiguous, balanced chunks.
    public static func chunk(_ index: Int, of parts: Int, count: Int) -> Range<Int> {
        let base = count / parts, extra = count % parts
        let start = index * base + min(index, extra)
        return start..<(start + base + (index < extra ? 1 : 0))
    }

    /// The number of chunks `parallelFor(count)` cuts `0..<count` into: up to 4 per thread.
    public func chunkCount(_ count: Int) -> Int {
        min(count, threadCount == 1 ? 1 : 4 * threadCount)
    }

    /// Runs `body` once per chunk of `0..<count` (see the type's description), on all threads.
    public func parallelFor(_ count: Int, _ body: (Range<Int>) -> Void) {
        parallelFor(count) { range, _ in body(range) }
    }

    /// Runs `body(range, thread)` once per chunk of `0..<count`; `thread` (in `0..<threadCount`, 0 for
    /// the caller) identifies the thread running it, e.g. to pick per-thread scratch memory.
    public func parallelFor(_ count: Int, _ body: (Range<Int>, Int) -> Void) {
        guard count > 0 else { return }
        let parts = chunkCount(count)
        guard parts > 1 else {
            body(0..<count, 0)
            return
        }
        precondition(state.task == nil, "ThreadPool.parallelFor is not reentrant")
        guard governor.nextLoopIsParallel() else {
            // The same chunks in the same order, on the caller alone: the same results.
            for chunk in 0..<parts { body(Self.chunk(chunk, of: parts, count: count), 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            state.task = { chunk, thread in body(Self.chunk(chunk, of: parts, count: count), thread) }
            state.chunks = parts
            state.nextChunk.store(0, ordering: .relaxed)
            state.closed.store(false, ordering: .sequentiallyConsistent)
            let start = Self.now()
            state.publish()
            let ran = state.work(thread: 0)
            state.closed.store(true, ordering: .sequentiallyConsistent)
            let done = Self.now()
            var spins = 0
            while state.active.load(ordering: .sequentiallyConsistent) != 0 {
                spins += 1
                if spins < state.spinIterations { loom_cpu_relax() } else { sched_yield() }
            }
            governor.record(busy: done - start, stall: spins == 0 ? 0 : Self.now() - done, callerChunks: ran, chunks: parts)
            state.task = nil
        }
    }

    /// Monotonic seconds (a vDSO call, tens of nanoseconds).
    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
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
