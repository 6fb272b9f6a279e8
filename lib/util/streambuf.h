/* streambuf: large buffers on a filter's standard input and output when they are pipes or files.
 * stdio sizes a pipe's buffer at 4 KiB: a sweep's 8 MB between two stages cost ~2,000 reads, as
 * many writes and ~500 context switches per pipe on two cores (issue 15). A terminal keeps its
 * line buffering, so that output still shows as it is written. Call first in main, before any
 * input or output. */
#ifndef INFERCAST_STREAMBUF_H
#define INFERCAST_STREAMBUF_H

void streambuf_init(void);

#endif
