/* streambuf: a filter's output to a pipe is written in 64 KiB pieces into a 1 MiB pipe, and its
 * input read in 64 KiB pieces (stdio's 4 KiB made a sweep's pipes a third of its time). */
#define _GNU_SOURCE /* F_GETPIPE_SZ, FIONREAD */
#include "streambuf.h"
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int pending(int fd)
{
	int n = -1;
	return ioctl(fd, FIONREAD, &n) == 0 ? n : -1;
}

int main(void)
{
	int out[2], in[2];
	CHECK(pipe(out) == 0 && pipe(in) == 0);
	int saved = dup(STDOUT_FILENO);
	CHECK(dup2(out[1], STDOUT_FILENO) == STDOUT_FILENO && dup2(in[0], STDIN_FILENO) == STDIN_FILENO);
	/* 20 KiB waiting on the input pipe: stdin's first read takes it all, not 4 KiB of it */
	static char block[20 << 10];
	memset(block, 'x', sizeof block);
	CHECK(write(in[1], block, sizeof block) == (ssize_t)sizeof block);
	streambuf_init();
	CHECK(fcntl(STDOUT_FILENO, F_GETPIPE_SZ) == 1 << 20);
	CHECK(getchar() == 'x');
	CHECK(pending(in[0]) == 0);
	/* 60 KiB written: still in the buffer, none of it in the pipe until the buffer fills */
	for (int i = 0; i < 3; i++)
		CHECK(fwrite(block, 1, sizeof block, stdout) == sizeof block);
	CHECK(pending(out[0]) == 0);
	CHECK(fwrite(block, 1, sizeof block, stdout) == sizeof block);
	CHECK(pending(out[0]) >= 64 << 10);
	CHECK(fflush(stdout) == 0 && pending(out[0]) == 4 * (int)sizeof block);
	dup2(saved, STDOUT_FILENO);
	UNIT_DONE();
}
