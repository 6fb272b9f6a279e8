/* outfile: a file written over in place, for the files a run writes again on every run (the
 * deployment files and CSV files of `default --save-dir`, about 60 of them).
 *
 * fopen(path, "w") first cuts an existing file to nothing. On ext4, a file cut to nothing and
 * written again is pushed to the disk at close (auto_da_alloc, its guard for programs that
 * rewrite a file without fsync), after its blocks were freed and allocated again: 0.1 ms of
 * system time a file on this project's machines, 4 to 7 ms a run. A file written from its start
 * and then cut to the length written ends with the same bytes, keeps its blocks, and is not
 * pushed out at close: 0.01 ms.
 *
 * What differs: a write that fails half-way leaves the new bytes over the old ones, where "w"
 * leaves the new ones alone. Either is a broken file, and the caller says which file failed. */
#ifndef INFERCAST_OUTFILE_H
#define INFERCAST_OUTFILE_H

#include <stdio.h>

/* path opened for writing from its start, made (0666 less the umask) when it does not exist.
 * NULL with errno set, as fopen. */
FILE *outfile_open(const char *path);

/* Flushed, cut to what was written (a regular file only: a device or a pipe is left as it is)
 * and closed; f is closed in every case. 0, or -1 with errno set: a write, the cut or the close
 * failed. */
int outfile_close(FILE *f);

#endif
