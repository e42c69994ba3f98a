import XCTest
import Synchronization
@testable import Kernels

final class ThreadPoolTests: XCTestCase {
    func testStaticPartitionCoversEveryIndexOnce() {
        for threads in 1...4 {
            let pool = ThreadPool(threadCount: threads)
            for count in [0, 1, 2, 3, 5, 64, 1000, 4097] {
                let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
                hits.initialize(repeating: 0)
                let chunks = Mutex<[Range<Int>]>([])
                pool.parallelFor(count) { range, thread in
                    XCTAssertTrue((0..<threads).contains(thread))
                    chunks.withLock { $0.append(range) }
                    for i in range { hits[i] += 1 }
                }
                let parts = pool.chunkCount(count)
                XCTAssertEqual(chunks.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound },
                               (0..<parts).map { ThreadPool.chunk($0, of: parts, count: count) }.filter { !$0.isEmpty })
                XCTAssertTrue(hits.prefix(count).allSatisfy { $0 == 1 }, "threads \(threads) count \(count)")
                hits.deallocate()
            }
        }
    }

    func testManySmallLoopsAndSleepingWorkers() {
        let pool = ThreadPool(threadCount: 2, spinIterations: 10)
        let total = Atomic<Int>(0)
        for i in 0..<2000 {
            if i % 500 == 0 { usleep(2000) } // let the workers fall asleep on the condition variable
            pool.parallelFor(4) { range in total.wrappingAdd(range.count, ordering: .relaxed) }
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 8000)
    }

    func testTheGovernorKeepsParallelLoopsThatPay() {
        var governor = ParallelismGovernor(window: 4, serialLoops: 3)
        // The caller ran half the chunks in 1 ms and waited 0.1 ms: 1.1 ms against 2 ms alone.
        for _ in 0..<40 {
            XCTAssertTrue(governor.nextLoopIsParallel())
            governor.record(busy: 0.001, stall: 0.0001, callerChunks: 4, chunks: 8)
        }
        XCTAssertEqual(governor.serialSwitches, 0)
    }

    func testTheGovernorFallsBackToTheCallerWhenWaitsCostMore() {
        var governor = ParallelismGovernor(window: 4, serialLoops: 3)
        // The caller ran 6 of 8 chunks in 1.5 ms and then waited 1 ms for a descheduled worker:
        // 2.5 ms against 2 ms alone.
        for _ in 0..<4 {
            XCTAssertTrue(governor.nextLoopIsParallel())
            governor.record(busy: 0.0015, stall: 0.001, callerChunks: 6, chunks: 8)
        }
        XCTAssertEqual(governor.serialSwitches, 1)
        XCTAssertEqual((0..<3).map { _ in governor.nextLoopIsParallel() }, [false, false, false])
        // Then a new window is measured; loops the workers took whole are not counted.
        XCTAssertTrue(governor.nextLoopIsParallel())
        governor.record(busy: 0, stall: 0.001, callerChunks: 0, chunks: 8)
        for _ in 0..<4 { governor.record(busy: 0.001, stall: 0, callerChunks: 4, chunks: 8) }
        XCTAssertEqual(governor.serialSwitches, 1)
    }

    func testSerialLoopsRunTheSameChunksOnTheCaller() {
        let pool = ThreadPool(threadCount: 2)
        let parts = pool.chunkCount(100)
        let expected = (0..<parts).map { ThreadPool.chunk($0, of: parts, count: 100) }
        pool.governor.runSerially(loops: 2)
        for _ in 0..<2 {
            let seen = Mutex<[(Range<Int>, Int)]>([])
            pool.parallelFor(100) { range, thread in seen.withLock { $0.append((range, thread)) } }
            XCTAssertEqual(seen.withLock { $0.map(\.0) }, expected, "every chunk once, in order")
            XCTAssertEqual(Set(seen.withLock { $0.map(\.1) }), [0], "on the caller")
        }
        // Then loops are parallel again (a worker may or may not take a chunk; each runs once).
        let seen = Mutex<[Range<Int>]>([])
        pool.parallelFor(100) { range in seen.withLock { $0.append(range) } }
        XCTAssertEqual(seen.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }, expected)
    }

    func testChunksAreContiguousAndBalanced() {
        XCTAssertEqual((0..<3).map { ThreadPool.chunk($0, of: 3, count: 10) }, [0..<4, 4..<7, 7..<10])
        XCTAssertEqual((0..<2).map { ThreadPool.chunk($0, of: 2, count: 1) }, [0..<1, 1..<1])
    }
}
