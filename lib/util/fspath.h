/* fspath: the small file-system tests every folder finder (datadir, perftree, sharedir,
 * modeldir, systems, the load model's parameter file) needs, in one place. */
#ifndef INFERCAST_FSPATH_H
#define INFERCAST_FSPATH_H

#include <stdbool.h>
#include <stddef.h>

/* Whether path names a directory / a regular file (following links). */
bool fspath_is_dir(const char *path);
bool fspath_is_file(const char *path);
/* Whether s may become one path component: letters, digits and _ - . +, no leading dot, no
 * "..", shorter than 128 bytes (backend, version and family names from data or options). */
bool fspath_plain_name(const char *s);
/* mkdir -p: path and the folders above it (made with mode 0777 less the umask). 0, or -1 with
 * "FOLDER: why" in err. */
int fspath_mkdir_p(const char *path, char *err, size_t errn);

#endif
