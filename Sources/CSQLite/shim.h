#include <sqlite3.h>
/* The WAL's mark (SyncedWAL.swift): Glibc's module leaves extended attributes out. */
#include <sys/xattr.h>

/* sqlite3_db_config is variadic, which Swift cannot call: wrap the one use. Leaving
 * the WAL in place when a connection closes spares every CGI process a checkpoint
 * and the next one a new WAL file; SQLite's auto-checkpoint still bounds the WAL. */
static inline int slotsite_keep_wal_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

/* sqlite3_config is variadic too. Without memory statistics, SQLite's allocator takes
 * no global mutex and keeps no counters on each of the thousands of allocations a
 * request makes. Without the page cache's bulk allocation, a connection takes memory
 * for the pages it reads, not 20 pages' worth up front that a short-lived CGI process
 * must fault in, page by page, for each of its two databases. Must run before SQLite
 * initialises; later calls are refused, harmlessly. */
static inline int slotsite_configure_memory(void) {
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
