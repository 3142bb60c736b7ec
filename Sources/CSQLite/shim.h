#include <sqlite3.h>

/* sqlite3_db_config is variadic, which Swift cannot call: wrap the one use. Leaving
 * the WAL in place when a connection closes spares every CGI process a checkpoint
 * and the next one a new WAL file; SQLite's auto-checkpoint still bounds the WAL. */
static inline int slotsite_keep_wal_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

#include <stdlib.h>
#include <string.h>

/* SQLite's memory, in size classes. Debian builds SQLite without its lookaside
 * allocator, so every small object of a schema or statement would be a malloc and a
 * free (bench/README.md). A freed block goes onto its class's list for the next one of
 * that class; new blocks are cut from chunks that are kept. Classes step by 16 bytes
 * up to 512 and by eighths of a power of two up to 64 KB; larger blocks are malloc's.
 * A spin lock makes it safe for a build's threads; a CGI process never contends. */
enum { SLOTSITE_STEP = 16, SLOTSITE_SMALL = 512, SLOTSITE_LARGE = 65536, SLOTSITE_CLASSES = 32 + 8 * 7,
       SLOTSITE_HEADER = 8, SLOTSITE_CHUNK = 256 * 1024 };

struct slotsite_memory {
    char lock;
    char *free[SLOTSITE_CLASSES];
    char *next, *end;
};

/* The one state, inside a function: Swift defines no global variables from an imported
 * header, but does emit a function's statics. Only Database.swift installs these. */
static inline struct slotsite_memory *slotsite_memory(void) {
    static struct slotsite_memory memory;
    return &memory;
}

/* The class of a block of n bytes (1 <= n <= SLOTSITE_LARGE), and its size. */
static inline int slotsite_class(int n) {
    if (n <= SLOTSITE_SMALL) return (n - 1) / SLOTSITE_STEP;
    int power = 31 - __builtin_clz((unsigned)(n - 1)); /* 2^power < n <= 2^(power+1) */
    return 32 + (power - 9) * 8 + ((n - 1 - (1 << power)) >> (power - 3));
}

static inline int slotsite_class_size(int c) {
    if (c < 32) return (c + 1) * SLOTSITE_STEP;
    int power = 9 + (c - 32) / 8;
    return (1 << power) + ((c - 32) % 8 + 1) * (1 << (power - 3));
}

static inline void slotsite_lock(struct slotsite_memory *m) { while (__atomic_test_and_set(&m->lock, __ATOMIC_ACQUIRE)) {} }
static inline void slotsite_unlock(struct slotsite_memory *m) { __atomic_clear(&m->lock, __ATOMIC_RELEASE); }

/* Each block starts with an 8-byte header (SQLite needs 8-byte alignment): its class,
 * or -1 and its size for a malloc'd one. */
static void *slotsite_malloc(int n) {
    char *block;
    if (n <= 0) n = 1;
    if (n > SLOTSITE_LARGE) {
        if (!(block = malloc((size_t)n + SLOTSITE_HEADER))) return 0;
        ((int *)block)[0] = -1;
        ((int *)block)[1] = n;
        return block + SLOTSITE_HEADER;
    }
    struct slotsite_memory *m = slotsite_memory();
    int c = slotsite_class(n), size = slotsite_class_size(c) + SLOTSITE_HEADER;
    slotsite_lock(m);
    if ((block = m->free[c])) {
        m->free[c] = *(char **)(block + SLOTSITE_HEADER);
    } else {
        if (m->end - m->next < size) {
            char *chunk = malloc(SLOTSITE_CHUNK);
            if (!chunk) { slotsite_unlock(m); return 0; }
            m->next = chunk;
            m->end = chunk + SLOTSITE_CHUNK;
        }
        block = m->next;
        m->next += size;
    }
    slotsite_unlock(m);
    ((int *)block)[0] = c;
    return block + SLOTSITE_HEADER;
}

static void slotsite_free(void *p) {
    if (!p) return;
    char *block = (char *)p - SLOTSITE_HEADER;
    int c = ((int *)block)[0];
    if (c < 0) { free(block); return; }
    struct slotsite_memory *m = slotsite_memory();
    slotsite_lock(m);
    *(char **)p = m->free[c];
    m->free[c] = block;
    slotsite_unlock(m);
}

static int slotsite_size(void *p) {
    if (!p) return 0;
    int *header = (int *)((char *)p - SLOTSITE_HEADER);
    return header[0] < 0 ? header[1] : slotsite_class_size(header[0]);
}

static int slotsite_roundup(int n) {
    if (n <= 0) n = 1;
    return n > SLOTSITE_LARGE ? (n + 7) & ~7 : slotsite_class_size(slotsite_class(n));
}

static void *slotsite_realloc(void *p, int n) {
    int old = slotsite_size(p);
    if (n > 0 && n <= SLOTSITE_LARGE && old <= SLOTSITE_LARGE && slotsite_roundup(n) == old) return p;
    void *fresh = slotsite_malloc(n);
    if (fresh) {
        memcpy(fresh, p, (size_t)(old < n ? old : n));
        slotsite_free(p);
    }
    return fresh;
}

static int slotsite_memory_init(void *unused) { (void)unused; return SQLITE_OK; }
static void slotsite_memory_shutdown(void *unused) { (void)unused; }

/* sqlite3_config is variadic too. Without memory statistics, SQLite's allocator takes
 * no global mutex and keeps no counters on each of the thousands of allocations a
 * request makes. Without the page cache's bulk allocation, a connection takes memory
 * for the pages it reads, not 20 pages' worth up front that a short-lived CGI process
 * must fault in, page by page, for each of its two databases. Must run before SQLite
 * initialises; later calls are refused, harmlessly. */
static inline int slotsite_configure_memory(void) {
    static const sqlite3_mem_methods classes = {
        slotsite_malloc, slotsite_free, slotsite_realloc, slotsite_size, slotsite_roundup,
        slotsite_memory_init, slotsite_memory_shutdown, 0,
    };
    sqlite3_config(SQLITE_CONFIG_MALLOC, &classes);
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
