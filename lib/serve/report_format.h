/* report_format: aggregate's report records for people and spreadsheets: one csv row per report
 * (a fixed header, every column) and the aligned table (the columns that tell the rows apart,
 * each with its unit on a second heading line, wrapped into blocks of at most 120 columns of
 * text that each repeat the configuration's id). */
#ifndef INFERCAST_REPORT_FORMAT_H
#define INFERCAST_REPORT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* The width the table keeps to: a terminal's 120 columns. */
enum { REPORT_TABLE_WIDTH = 120 };

/* One csv row of a report to stdout, the header first when asked. */
void report_write_csv(const cJSON *report, bool header);
/* The table of all reports to stdout, then one "oom: ..." line per report that does not fit,
 * then with_ops each report's ops (latency in total, per step and per layer). */
void report_write_table(cJSON *const *reports, size_t n, bool with_ops);

/* Whether the report says the configuration does not fit in GPU memory, and why (for the
 * warning, the refusal and the table's note). */
bool report_is_oom(const cJSON *report);
void report_oom_reason(const cJSON *report, char *buf, size_t n);

#endif
