/* paretoplot: the Pareto fronts of a saved run (pareto --save-dir, default --save-dir) as one
 * PNG: tokens/s/gpu against tokens/s/user for agg and disagg, the TPOT target's mark and the
 * chosen configuration. Reads the folder's CSV files (lib/sweep/plot_front), fits the axes
 * (plot_picture), draws (plot_draw) and writes the file whole or not at all (atomic_file). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "diag.h"
#include "streambuf.h"
#include "plot_draw.h"
#include "plot_front.h"
#include "plot_picture.h"

static const char usage_text[] =
	"usage: paretoplot [-o FILE] [--title TEXT]... [--tpot-mark MS] [--describe] DIR\n"
	"\n"
	"Draws the Pareto fronts of a saved run as a 900 x 600 PNG: tokens/s/gpu against\n"
	"tokens/s/user, DIR/agg/pareto.csv and DIR/disagg/pareto.csv as two lines (a missing or\n"
	"empty file: that mode is left out), the chosen configuration (the higher\n"
	"tokens/s/gpu_cluster of the first rows of DIR/agg and DIR/disagg best_config_topn.csv) as\n"
	"a red dot named in the legend. Columns are found by their header names. The file appears\n"
	"whole or not at all.\n"
	"  -o, --output FILE  where to write the PNG (default DIR/pareto_frontier.png)\n"
	"  --title TEXT       a title line (up to 4); {model} stands for the fronts' model\n"
	"  --tpot-mark MS     a dashed line at 1000/MS tokens/s/user, labelled TPOT MS ms\n"
	"  --describe         also print what the picture shows, one line per element\n"
	"See paretoplot(1).\n";

enum { OPT_TITLE = 1, OPT_TPOT_MARK, OPT_DESCRIBE, OPT_HELP };

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "tpot-mark", required_argument, NULL, OPT_TPOT_MARK },
		{ "describe", no_argument, NULL, OPT_DESCRIBE },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	const char *output = NULL, *titles[PLOT_MAX_TITLE];
	size_t ntitle = 0;
	plot_picture pic = { 0 };
	int describe = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case OPT_TITLE:
			if (ntitle == PLOT_MAX_TITLE)
				usage_error("--title: at most %d title lines", PLOT_MAX_TITLE);
			titles[ntitle++] = optarg;
			break;
		case OPT_TPOT_MARK:
			pic.tpot_ms = opt_double("--tpot-mark", optarg);
			if (pic.tpot_ms <= 0)
				usage_error("--tpot-mark: '%s' is not a positive number of milliseconds", optarg);
			pic.tpot_text = optarg;
			break;
		case OPT_DESCRIBE: describe = 1; break;
		case OPT_HELP: usage_print(usage_text); return finish_stdout();
		default:
			usage_bad_option(longopts, optopt, argv[optind - 1]);
		}
	}
	if (optind == argc)
		usage_error("name the saved run's folder DIR");
	if (argc - optind > 1)
		usage_error("unexpected argument '%s'", argv[optind + 1]);
	const char *dir = argv[optind];
	char *defpath = NULL;
	if (!output) {
		size_t len = strlen(dir) + sizeof "/pareto_frontier.png";
		defpath = xmalloc(len);
		snprintf(defpath, len, "%s/pareto_frontier.png", dir);
		output = defpath;
	}

	char err[4096];
	plot_front front;
	if (plot_front_load(&front, dir, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
	pic.front = &front;
	char *expanded[PLOT_MAX_TITLE];
	for (size_t i = 0; i < ntitle; i++) {
		if (!(expanded[i] = plot_front_title(&front, titles[i], err, sizeof err)))
			die(EXIT_DATA, "--title: %s", err);
		pic.title[i] = expanded[i];
	}
	pic.ntitle = ntitle;
	plot_picture_fit(&pic);
	void *png;
	size_t n;
	if (plot_draw_png(&pic, &png, &n, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
	if (atomic_file_write(output, png, n, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
	plot_draw_free(png);
	if (describe)
		plot_picture_describe(stdout, &pic);
	for (size_t i = 0; i < ntitle; i++)
		free(expanded[i]);
	plot_front_free(&front);
	free(defpath);
	return finish_stdout();
}
