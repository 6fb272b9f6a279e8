/* sharedir: where the installed tree's share/infercast is, found from the running executable,
 * so that an install works for any PREFIX and DESTDIR (staged, then moved) without a rebuild.
 *
 * `make install` puts the filters in $(PREFIX)/lib/infercast/bin (with `infercast-NAME` links in
 * $(PREFIX)/bin) and the specs in $(PREFIX)/share/infercast; a filter in .../lib/infercast/bin or
 * in .../bin takes the folder above as its prefix. Without /proc/self/exe, or for an executable
 * elsewhere, the compile-time INFERCAST_SHARE_DIR is the answer. */
#ifndef INFERCAST_SHAREDIR_H
#define INFERCAST_SHAREDIR_H

#include <stddef.h>

/* Write <share>/SUB (SUB "systems" or "data") into out and return out: the one beside the
 * executable's install prefix when that folder exists, else INFERCAST_SHARE_DIR/SUB (which
 * may not exist; callers say so). */
const char *sharedir_path(const char *sub, char *out, size_t n);

#endif
