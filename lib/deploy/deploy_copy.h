/* deploy_copy: the CSV files of a `default` run's scratch folder copied into its save folder by
 * the deploygen that writes the deployment files there (--picks-dir), so that `default` starts
 * neither a mkdir nor a cp, and the mode folders have one maker (two made them at once before,
 * and cp failed when the other won the race). */
#ifndef INFERCAST_DEPLOY_COPY_H
#define INFERCAST_DEPLOY_COPY_H

#include <stddef.h>

/* Every regular file of FROM/agg and FROM/disagg (those that are there) into TO/agg and
 * TO/disagg, the folders made as needed, each file written over in place (lib/util/outfile);
 * nothing when FROM and TO are one folder. 0, or -1 with "PATH: why" in err. */
int deploy_copy_picks(const char *from, const char *to, char *err, size_t errlen);

#endif
