/* pipetime: wall time and peak memory of a pipeline of processes, run many times, for the
 * benchmarks (bench/): a shell loop with `date` around it costs more than the pipelines it
 * times (a few ms per run on this machine), and GNU time measures one process, not a stage.
 *
 *   pipetime [-n RUNS] [-i INPUT] [-o OUTPUT] [-w WARMUP] CMD ARG... ['|' CMD ARG...]...
 *
 * Runs the stages connected by pipes, as a shell would (stdin from INPUT, default /dev/null;
 * stdout to OUTPUT, default /dev/null), RUNS times (default 20) after WARMUP unmeasured runs
 * (default 1), and prints one line:
 *   runs N  min X ms  median Y ms  max Z ms  rss NAME:A,... MiB  cpu NAME:B,... ms
 * rss: the peak resident set of each stage over the runs; cpu: each stage's least user+system
 * time over the runs (on a loaded machine the wall times vary, the CPU times much less).
 * Exit 1 when a stage fails (its status named), 2 on bad usage. */
#define _DEFAULT_SOURCE /* wait4: the rusage of one child */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MAX_STAGES = 16 };

static void usage(void)
{
	fputs("usage: pipetime [-n RUNS] [-i INPUT] [-o OUTPUT] [-w WARMUP] CMD ARG... ['|' CMD ARG...]...\n", stderr);
	exit(2);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One run of the pipeline: its wall time; each stage's peak RSS (KiB) into rss. */
static double run_once(char **stage[], int n, const char *in, const char *out, long rss[], double cpu[])
{
	double t0 = now_ms();
	pid_t pids[MAX_STAGES];
	int prev = open(in, O_RDONLY);
	if (prev < 0) {
		fprintf(stderr, "pipetime: %s: %s\n", in, strerror(errno));
		exit(1);
	}
	for (int i = 0; i < n; i++) {
		int fds[2] = { -1, -1 };
		int to;
		if (i < n - 1) {
			if (pipe(fds) != 0) {
				perror("pipetime: pipe");
				exit(1);
			}
			to = fds[1];
		} else if ((to = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
			fprintf(stderr, "pipetime: %s: %s\n", out, strerror(errno));
			exit(1);
		}
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("pipetime: fork");
			exit(1);
		}
		if (pids[i] == 0) {
			dup2(prev, 0);
			dup2(to, 1);
			close(prev);
			close(to);
			if (fds[0] >= 0)
				close(fds[0]);
			execvp(stage[i][0], stage[i]);
			fprintf(stderr, "pipetime: %s: %s\n", stage[i][0], strerror(errno));
			_exit(127);
		}
		close(prev);
		close(to);
		prev = fds[0];
	}
	for (int i = 0; i < n; i++) {
		int status;
		struct rusage ru;
		if (wait4(pids[i], &status, 0, &ru) < 0) {
			perror("pipetime: wait4");
			exit(1);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "pipetime: stage %d (%s) failed (status %d)\n", i + 1, stage[i][0], status);
			exit(1);
		}
		if (ru.ru_maxrss > rss[i])
			rss[i] = ru.ru_maxrss;
		double ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
			    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
		if (cpu[i] < 0 || ms < cpu[i])
			cpu[i] = ms;
	}
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	int runs = 20, warm = 1, opt;
	const char *in = "/dev/null", *out = "/dev/null";
	while ((opt = getopt(argc, argv, "+i:n:o:w:")) != -1) {
		switch (opt) {
		case 'i': in = optarg; break;
		case 'n': runs = atoi(optarg); break;
		case 'o': out = optarg; break;
		case 'w': warm = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind >= argc || runs < 1 || warm < 0)
		usage();
	char **stage[MAX_STAGES];
	int n = 0;
	stage[n++] = &argv[optind];
	for (int i = optind; i < argc; i++)
		if (strcmp(argv[i], "|") == 0) {
			if (n == MAX_STAGES || i + 1 >= argc)
				usage();
			argv[i] = NULL;
			stage[n++] = &argv[i + 1];
		}
	long rss[MAX_STAGES] = { 0 };
	double cpu[MAX_STAGES];
	for (int i = 0; i < MAX_STAGES; i++)
		cpu[i] = -1;
	for (int i = 0; i < warm; i++)
		run_once(stage, n, in, out, rss, cpu);
	memset(rss, 0, sizeof rss);
	for (int i = 0; i < MAX_STAGES; i++)
		cpu[i] = -1;
	double *ms = malloc((size_t)runs * sizeof *ms);
	if (!ms)
		return 1;
	for (int i = 0; i < runs; i++)
		ms[i] = run_once(stage, n, in, out, rss, cpu);
	qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
	double median = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
	printf("runs %d  min %.2f ms  median %.2f ms  max %.2f ms  rss ", runs, ms[0], median, ms[runs - 1]);
	for (int i = 0; i < n; i++) {
		const char *name = strrchr(stage[i][0], '/') ? strrchr(stage[i][0], '/') + 1 : stage[i][0];
		printf("%s%s:%.1f", i ? "," : "", name, (double)rss[i] / 1024);
	}
	printf(" MiB  cpu ");
	for (int i = 0; i < n; i++) {
		const char *name = strrchr(stage[i][0], '/') ? strrchr(stage[i][0], '/') + 1 : stage[i][0];
		printf("%s%s:%.1f", i ? "," : "", name, cpu[i]);
	}
	printf(" ms\n");
	free(ms);
	return 0;
}
