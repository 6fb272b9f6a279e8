/* hfparse: read HuggingFace model configs and write one model record (JSON Lines) per model. */
#include "diag.h"
#include "streambuf.h"
#include "hfmodel.h"
#include "hint.h"
#include "jsonl.h"
#include "modeldir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: hfparse [--model-path NAME] [MODEL...]\n"
	"       hfparse --resolve MODEL | --list-models\n"
	"Write one model record (JSON Lines) for each MODEL: a model folder holding config.json\n"
	"(and maybe hf_quant_config.json), a config file, or the Hugging Face id of a bundled\n"
	"config (Qwen/Qwen3-32B; $INFERCAST_MODELS, else the models folder beside the programs or\n"
	"in the share folder). No MODEL or '-' reads a config.json from standard input.\n"
	"  --model-path NAME  report NAME as the model path (one MODEL only)\n"
	"  --ignore-quant     read the checkpoint as unquantized (bfloat16): for a quantization method\n"
	"                     hfparse cannot read (AWQ, GPTQ ...); give opgraph --gemm-quant, --moe-quant\n"
	"  --resolve MODEL    print the folder or file MODEL leads to, write no record\n"
	"  --list-models      print the Hugging Face id of every bundled model config\n"
	"  --help             show this help\n";

/* Ends the run with a library error and hfparse's words for its hint (lib/util/hint). */
static _Noreturn void fail(const char *where, char *err, size_t n)
{
	switch (hint_of(err, NULL)) {
	case HINT_LIST_MODELS: hint_cat(err, n, "; hfparse --list-models lists the bundled ones"); break;
	case HINT_IGNORE_QUANT:
		hint_cat(err, n, "; to price it anyway, read it unquantized with --ignore-quant (hfparse, estimate) "
			 "and give the modes to price with --gemm-quant and --moe-quant (opgraph, estimate), e.g. "
			 "int4_wo for 4-bit weights");
		break;
	default: break;
	}
	die(EXIT_DATA, "%s%s", where, err);
}

static void print_id(const char *hf_id, void *ctx)
{
	(void)ctx;
	puts(hf_id);
}

static char *read_stdin(void)
{
	size_t cap = 1 << 16, len = 0, got;
	char *buf = malloc(cap);
	if (!buf)
		die(EXIT_DATA, "<stdin>: out of memory");
	while ((got = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
		len += got;
		if (len + 1 >= cap) {
			char *grown = realloc(buf, cap *= 2);
			if (!grown)
				die(EXIT_DATA, "<stdin>: out of memory");
			buf = grown;
		}
	}
	if (ferror(stdin))
		die(EXIT_DATA, "<stdin>: read error: %s", strerror(errno));
	buf[len] = 0;
	return buf;
}

static cJSON *from_stdin(const char *model_path)
{
	char err[2048];
	char *text = read_stdin();
	cJSON *config = hfmodel_parse_text(text, err, sizeof err);
	free(text);
	if (!config)
		fail("<stdin>: ", err, sizeof err);
	cJSON *rec = hfmodel_record(config, NULL, model_path ? model_path : "<stdin>", err, sizeof err);
	cJSON_Delete(config);
	if (!rec)
		fail("<stdin>: ", err, sizeof err);
	return rec;
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	const char *model_path = NULL;
	int first = 1;
	for (; first < argc; first++) {
		const char *a = argv[first];
		if (strcmp(a, "--help") == 0) {
			usage_print(usage);
			return finish_stdout();
		} else if (strcmp(a, "--model-path") == 0) {
			if (first + 1 >= argc)
				usage_error("option '--model-path' needs a value");
			model_path = argv[++first];
		} else if (strcmp(a, "--resolve") == 0) {
			if (first + 1 >= argc)
				usage_error("option '--resolve' needs a value");
			if (first + 2 < argc)
				usage_error("unexpected argument '%s'", argv[first + 2]);
			char path[4096], err[1024];
			if (modeldir_resolve(argv[first + 1], path, sizeof path, err, sizeof err))
				fail("", err, sizeof err);
			puts(path);
			return finish_stdout();
		} else if (strcmp(a, "--list-models") == 0) {
			char err[1024];
			if (modeldir_list(print_id, NULL, err, sizeof err) < 0)
				fail("", err, sizeof err);
			return finish_stdout();
		} else if (strncmp(a, "--model-path=", 13) == 0) {
			model_path = a + 13;
		} else if (strcmp(a, "--ignore-quant") == 0) {
			hfmodel_ignore_checkpoint_quant(true);
		} else if (strcmp(a, "--") == 0) {
			first++;
			break;
		} else if (a[0] == '-' && a[1] != 0) {
			usage_error("unknown option '%s'", a);
		} else {
			break;
		}
	}
	int nargs = argc - first;
	if (model_path && nargs > 1)
		usage_error("option '--model-path' needs exactly one MODEL");
	for (int i = first; i < argc || (nargs == 0 && i == first); i++) {
		const char *path = nargs ? argv[i] : "-";
		cJSON *rec;
		if (strcmp(path, "-") == 0) {
			rec = from_stdin(model_path);
		} else {
			char err[2048], found[4096];
			/* a Hugging Face id that is not a path names a bundled config */
			if (access(path, F_OK) != 0 && modeldir_is_hf_id(path)) {
				if (modeldir_resolve(path, found, sizeof found, err, sizeof err))
					fail("", err, sizeof err);
				path = found;
			}
			rec = hfmodel_load(path, err, sizeof err);
			if (!rec)
				fail("", err, sizeof err);
			if (model_path)
				cJSON_ReplaceItemInObjectCaseSensitive(rec, "model_path", cJSON_CreateString(model_path));
		}
		jsonl_write(rec);
		cJSON_Delete(rec);
	}
	return finish_stdout();
}
