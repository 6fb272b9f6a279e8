/* suggest: "did you mean ...?" for a name the user mistyped (a system, a backend), from the
 * names that exist: the ones it begins, else the ones it is a part of, else the nearest by edit
 * distance. */
#ifndef INFERCAST_SUGGEST_H
#define INFERCAST_SUGGEST_H

#include <stddef.h>

/* Write into out the names of the comma-and-blank separated list `known` closest to name,
 * joined by " or " ("h100_pcie or h100_sxm"); "" when none is close. Case is ignored. */
const char *suggest_names(const char *name, const char *known, char *out, size_t n);

#endif
