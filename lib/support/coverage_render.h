/* coverage_render: support records printed for people (coverage --render). */
#ifndef INFERCAST_COVERAGE_RENDER_H
#define INFERCAST_COVERAGE_RENDER_H

#include <stdbool.h>
#include <cjson/cJSON.h>

/* Print one support record on stdout: csv gives two rows (one per mode) with the reference's
 * support-matrix columns plus Level and Reason, else one aligned row. *header says whether the
 * header line is out already, and is set. */
void coverage_print_support(const cJSON *rec, bool csv, bool *header);

#endif
