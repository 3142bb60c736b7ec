/* Baseline for scripts/bench: the least a booking CGI can do in C. Reads the form
 * body, inserts one booking row in one BEGIN IMMEDIATE transaction (WAL,
 * synchronous=FULL, busy_timeout 5 s) and answers 303. No sessions, no pages. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    const char *len = getenv("CONTENT_LENGTH");
    const char *db_path = getenv("BASELINE_DB");
    long n = len ? strtol(len, NULL, 10) : 0;
    char body[256] = {0};
    if (n < 0 || n >= (long)sizeof body || !db_path) { printf("Status: 400 Bad Request\r\n\r\n"); return 0; }
    if (fread(body, 1, (size_t)n, stdin) != (size_t)n) { printf("Status: 400 Bad Request\r\n\r\n"); return 0; }
    long slot = strncmp(body, "slot=", 5) == 0 ? strtol(body + 5, NULL, 10) : 0;
    sqlite3 *db;
    if (sqlite3_open(db_path, &db) != SQLITE_OK) { printf("Status: 500 Internal Server Error\r\n\r\n"); return 0; }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", 0, 0, 0);
    sqlite3_stmt *st;
    int ok = sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0) == SQLITE_OK
        && sqlite3_prepare_v2(db, "INSERT INTO bookings (slot_id, client_id, created_at) VALUES (?, 1, strftime('%s'))", -1, &st, 0) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_int64(st, 1, slot);
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_finalize(st);
    }
    if (ok && sqlite3_exec(db, "COMMIT", 0, 0, 0) == SQLITE_OK) {
        printf("Status: 303 See Other\r\nLocation: /account\r\nContent-Type: text/html\r\n\r\nbooked\n");
    } else {
        sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
        printf("Status: 409 Conflict\r\nContent-Type: text/html\r\n\r\ntaken\n");
    }
    sqlite3_close(db);
    return 0;
}
