/* The file system's share of a cold build: creates COUNT folders u/pNNNNN under OUT,
 * each with an index.html of SIZE bytes, split over PROCESSES processes. Nothing is
 * rendered, renamed or synced, so no site generator writing the same pages can be
 * faster than this on the same disk.   usage: write_floor OUT COUNT SIZE PROCESSES */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: write_floor OUT COUNT SIZE PROCESSES\n"); return 2; }
    const char *out = argv[1];
    int count = atoi(argv[2]), size = atoi(argv[3]), processes = atoi(argv[4]);
    char *page = malloc(size);
    memset(page, 'x', size);
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
        }
        _exit(0);
    }
    int failed = 0, status;
    while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    return failed;
}
