/* The file system's share of a build that replaces every profile page and feed: for
 * each folder DIR/NAME, writes as many bytes as NAME/index.html and NAME/slots.ics hold
 * into a temporary file beside each and renames it over the file, as a build replaces
 * a page, split over PROCESSES processes. Nothing is rendered or synced.
 * usage: rewrite_floor DIR PROCESSES */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int replace(const char *folder, const char *file, char *bytes) {
    char path[4096], temporary[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", folder, file);
    if (stat(path, &st) != 0) return 0; /* a profile without a feed */
    if (st.st_size > 1 << 24) { fprintf(stderr, "%s: larger than 16 MiB\n", path); return 1; }
    snprintf(temporary, sizeof temporary, "%s/.floor-%s", folder, file);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, bytes, st.st_size) != st.st_size || close(fd) != 0 || rename(temporary, path) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: rewrite_floor DIR PROCESSES\n"); return 2; }
    int processes = atoi(argv[2]), count = 0, capacity = 1024;
    char **names = malloc(sizeof *names * capacity);
    DIR *dir = opendir(argv[1]);
    if (!dir) { perror(argv[1]); return 1; }
    for (struct dirent *e; (e = readdir(dir));) {
        if (e->d_name[0] == '.') continue;
        if (count == capacity) names = realloc(names, sizeof *names * (capacity *= 2));
        names[count++] = strdup(e->d_name);
    }
    char *bytes = malloc(1 << 24);
    memset(bytes, 'x', 1 << 24);
    for (int p = 0; p < processes; p++) {
        if (fork() != 0) continue;
        char folder[4096];
        for (int i = p; i < count; i += processes) {
            snprintf(folder, sizeof folder, "%s/%s", argv[1], names[i]);
            if (replace(folder, "index.html", bytes) || replace(folder, "slots.ics", bytes)) _exit(1);
        }
        _exit(0);
    }
    int failed = 0, status;
    while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    return failed;
}
