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

    func testChunksAreContiguousAndBalanced() {
        XCTAssertEqual((0..<3).map { ThreadPool.chunk($0, of: 3, count: 10) }, [0..<4, 4..<7, 7..<10])
        XCTAssertEqual((0..<2).map { ThreadPool.chunk($0, of: 2, count: 1) }, [0..<1, 1..<1])
    }
}
