import Foundation
import Testing
import CSQLite
@testable import SlotsiteStore

/// SQLite's memory comes from the size classes of `CSQLite/shim.h` once a store has
/// been opened in the process.
struct SQLiteMemoryTests {
    /// Sizes around each kind of class edge: the 16-byte steps, the first and last
    /// eighth classes, and blocks too large for a class.
    static let sizes = [1, 15, 16, 17, 511, 512, 513, 640, 641, 4096, 4250, 65_535, 65_536, 65_537, 300_000]

    @Test func blocksHoldWhatWasAskedAndKeepTheirBytesThroughRealloc() throws {
        let t = try TemporaryStore()
        _ = t.store
        // Ours, not glibc's: a 1-byte block is one 16-byte step.
        let one = sqlite3_malloc(1)
        #expect(sqlite3_msize(one) == 16)
        sqlite3_free(one)
        for n in SQLiteMemoryTests.sizes {
            for m in [n / 2 + 1, n, n + 1, 2 * n + 100] {
                let p = try #require(sqlite3_malloc(Int32(n)))
                #expect(Int(sqlite3_msize(p)) >= n)
                #expect(Int(bitPattern: p) % 8 == 0)
                memset(p, Int32(n % 251), n)
                let q = try #require(sqlite3_realloc(p, Int32(m)))
                #expect(Int(sqlite3_msize(q)) >= m)
                #expect(UnsafeRawBufferPointer(start: q, count: min(n, m)).allSatisfy { $0 == UInt8(n % 251) })
                sqlite3_free(q)
            }
        }
    }

    @Test func aFreedBlockServesTheNextOfItsClass() throws {
        let t = try TemporaryStore()
        _ = t.store
        let a = sqlite3_malloc(100)
        sqlite3_free(a)
        let b = sqlite3_malloc(97) // the same 112-byte class
        #expect(a == b)
        sqlite3_free(b)
    }

    /// Threads allocating, filling, checking and freeing at once never see another's bytes.
    @Test func threadsShareTheClassesSafely() async throws {
        let t = try TemporaryStore()
        _ = t.store
        let bad = await withTaskGroup(of: Int.self) { group in
            for thread in 0..<4 {
                group.addTask {
                    var bad = 0
                    for round in 0..<2_000 {
                        let n = SQLiteMemoryTests.sizes[(round + thread) % 12]
                        guard let p = sqlite3_malloc(Int32(n)) else { return bad + 1 }
                        memset(p, Int32(thread + 1), n)
                        if !UnsafeRawBufferPointer(start: p, count: n).allSatisfy({ $0 == UInt8(thread + 1) }) { bad += 1 }
                        sqlite3_free(p)
                    }
                    return bad
                }
            }
            return await group.reduce(0, +)
        }
        #expect(bad == 0)
    }
}
