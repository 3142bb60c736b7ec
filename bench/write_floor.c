/* The file system's share of a cold build: creates COUNT folders u/pNNNNN under OUT,
 * each with an index.html of SIZE bytes and, when FEED is given and not 0, a slots.ics
 * of FEED bytes, split over PROCESSES processes. Nothing is rendered, renamed or synced,
 * so no site generator writing the same pages can be faster than this on the same disk.
 *   usage: write_floor OUT COUNT SIZE PROCESSES [FEED] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) { fprintf(stderr, "usage: write_floor OUT COUNT SIZE PROCESSES [FEED]\n"); return 2; }
    const char *out = argv[1];
    int count = atoi(argv[2]), size = atoi(argv[3]), processes = atoi(argv[4]), feed = argc == 6 ? atoi(argv[5]) : 0;
    char *page = malloc(size > feed ? size : feed);
    memset(page, 'x', size > feed ? size : feed);
    char path[4096];
    mkdir(out, 0755);
    snprintf(path, sizeof path, "%s/u", out);
    mkdir(path, 0755);
    for (int p = 0; p < processes; p++) {
        if (fork() != 0) continue;
        for (int i = p; i < count; i += processes) {
            snprintf(path, sizeof path, "%s/u/p%05d", out, i);
            if (mkdir(path, 0755) != 0) { perror(path); _exit(1); }
            snprintf(path, sizeof path, "%s/u/p%05d/index.html", out, i);
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || write(fd, page, size) != size || close(fd) != 0) { perror(path); _exit(1); }
            if (feed == 0) continue;
            snprintf(path, sizeof path, "%s/u/p%05d/slots.ics", out, i);
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || write(fd, page, feed) != feed || close(fd) != 0) { perror(path); _exit(1); }
        }
        _exit(0);
    }
    int failed = 0, status;
    while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    return failed;
}
