/* atomic_file: a file that appears whole or not at all. A reader (a browser showing the picture,
 * a script polling the folder) never sees a half-written file, and a failed write leaves nothing
 * behind: the bytes go to a temporary file beside the target, renamed over it once complete. */
#ifndef INFERCAST_ATOMIC_FILE_H
#define INFERCAST_ATOMIC_FILE_H

#include <stddef.h>

/* Write n bytes of buf to path (mode 0666 less the umask, as fopen would make it). 0, or -1 with
 * "PATH: why" in err; on failure neither path nor the temporary file is changed or left. */
int atomic_file_write(const char *path, const void *buf, size_t n, char *err, size_t errn);

#endif
