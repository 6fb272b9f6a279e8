/* bench/rewrite.c: what a file written again costs, three ways, over N files of ~2 KB in DIR
 * (lib/util/outfile's reason): a file made new, a file cut to nothing and written again
 * (fopen's "w" on one that is there), and a file written over from its start and cut to
 * length (outfile's way). Prints wall and CPU (user + system) per way. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double wall_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
	       (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

/* way 0: new files (DIR/new.K made first); 1: O_TRUNC over the files of way 0; 2: in place */
static void run(const char *dir, int n, int way, const char *name)
{
	char buf[4096], path[4096];
	memset(buf, 'x', sizeof buf);
	if (way == 0) {
		snprintf(path, sizeof path, "%s/new", dir);
		mkdir(path, 0777);
	}
	double w0 = wall_ms(), c0 = cpu_ms();
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/new/f%d", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | (way == 2 ? 0 : O_TRUNC), 0666);
		size_t len = 2000 + (size_t)i;
		if (fd < 0 || write(fd, buf, len) != (ssize_t)len || (way == 2 && ftruncate(fd, (off_t)len)) || close(fd)) {
			perror(path);
			exit(1);
		}
	}
	printf("%-32s %3d files: %7.2f ms wall, %7.2f ms CPU\n", name, n, wall_ms() - w0, cpu_ms() - c0);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: rewrite DIR N\n");
		return 2;
	}
	int n = atoi(argv[2]);
	run(argv[1], n, 0, "made new");
	run(argv[1], n, 1, "cut to nothing, written again");
	run(argv[1], n, 2, "written over, cut to length");
	run(argv[1], n, 1, "cut to nothing, written again");
	run(argv[1], n, 2, "written over, cut to length");
	return 0;
}
