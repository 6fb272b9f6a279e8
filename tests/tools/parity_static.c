/* parity_static: test helper for the static goldens (one JSON file of ../shared/goldens/static).
 *
 *   parity_static args GOLDEN          print the case as pipeline options, one line:
 *                                      MODEL_DIR_RELATIVE_TO_SHARED --system S --backend B ...
 *   parity_static family GOLDEN        print the reference's model family (or "?")
 *   parity_static error GOLDEN         print the reference's error ("" when it has numbers)
 *   parity_static ops GOLDEN           compare opgraph's op records on stdin with the golden's
 *                                      ops (name, phase, op_type, attrs, scale_factor)
 *   parity_static inject GOLDEN        copy stdin to stdout, giving each op record the golden's
 *                                      latency_ms, energy_wms and source (as query would)
 *   parity_static report GOLDEN        compare aggregate's report record on stdin with the
 *                                      golden's numbers (and its per-op latencies if `ops` is there)
 *   parity_static refusal GOLDEN       check that the chain's stderr on stdin refuses for the
 *                                      reason of the golden's `error`: a line of query's naming an
 *                                      op, the lookup kind, every shape and quant value of the
 *                                      reference's "Failed to query KIND data for K=V, ..." and
 *                                      the hybrid-mode hint
 *
 * Mismatches go to stdout, one per line; exit 1 if any, 2 on bad input. Ops of a phase the
 * golden's mode does not run (latency 0, source null) are not expected from us. A vision
 * encoder's ops (phase "encoder") are not in the goldens' op lists, only their sum
 * (encoder_latency_ms): `ops` leaves them out, `inject` gives that sum to the first of them,
 * `report` compares the sum. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double REL = 1e-6;
static int mismatches;

__attribute__((format(printf, 1, 2)))
static void mismatch(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	mismatches++;
}

static cJSON *load_json(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "parity_static: cannot open %s\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "parity_static: cannot read %s\n", path);
		exit(2);
	}
	buf[n] = 0;
	fclose(f);
	cJSON *j = cJSON_Parse(buf);
	free(buf);
	if (!j) {
		fprintf(stderr, "parity_static: %s is not JSON\n", path);
		exit(2);
	}
	return j;
}

/* The JSON Lines records on stdin, as one array. */
static cJSON *read_stdin_records(void)
{
	cJSON *all = cJSON_CreateArray();
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	while (getline(&line, &cap, stdin) > 0) {
		lineno++;
		if (line[0] == '\n')
			continue;
		cJSON *r = cJSON_Parse(line);
		if (!r) {
			fprintf(stderr, "parity_static: stdin:%ld: not JSON\n", lineno);
			exit(2);
		}
		cJSON_AddItemToArray(all, r);
	}
	free(line);
	return all;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool close_enough(double a, double b, double rel)
{
	if (a == b)
		return true;
	return fabs(a - b) <= rel * fabs(b);
}

/* A golden op the reference did not evaluate: its mode skipped that phase. */
static bool not_run(const cJSON *gop)
{
	const cJSON *src = get(gop, "source");
	return !src || cJSON_IsNull(src);
}

static const cJSON *find_op(const cJSON *records, const char *phase, const char *name)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, records) {
		const char *kind = str(r, "record");
		if (kind && strcmp(kind, "op") == 0 && strcmp(str(r, "phase") ? str(r, "phase") : "", phase) == 0 &&
		    strcmp(str(r, "name") ? str(r, "name") : "", name) == 0)
			return r;
	}
	return NULL;
}

static void print_args(const cJSON *g)
{
	const cJSON *c = get(g, "case");
	const char *model = str(c, "model");
	printf("%s --system %s --backend %s", model ? model : "?", str(c, "system"), str(c, "backend"));
	static const struct {
		const char *key, *opt;
	} ints[] = {
		{"batch_size", "--batch"}, {"isl", "--isl"}, {"osl", "--osl"}, {"prefix", "--prefix"}, {"tp", "--tp"},
		{"pp", "--pp"}, {"dp", "--dp"}, {"moe_tp", "--moe-tp"}, {"moe_ep", "--moe-ep"}, {"nextn", "--nextn"},
	};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		const cJSON *v = get(c, ints[i].key);
		if (cJSON_IsNumber(v))
			printf(" %s %ld", ints[i].opt, (long)v->valuedouble);
	}
	static const struct {
		const char *key, *opt;
	} strs[] = {
		{"gemm_quant", "--gemm-quant"}, {"kvcache_quant", "--kvcache-quant"}, {"fmha_quant", "--fmha-quant"},
		{"moe_quant", "--moe-quant"}, {"mode", "--mode"}, {"version", "--version"},
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (str(c, strs[i].key))
			printf(" %s %s", strs[i].opt, str(c, strs[i].key));
	const char *db = str(c, "database_mode");
	if (db) {
		char lower[32];
		size_t i = 0;
		for (; db[i] && i < sizeof lower - 1; i++)
			lower[i] = (char)(db[i] >= 'A' && db[i] <= 'Z' ? db[i] - 'A' + 'a' : db[i]);
		lower[i] = 0;
		printf(" --database-mode %s", lower);
	}
	putchar('\n');
}

static void compare_values(const char *where, const char *key, const cJSON *ours, const cJSON *gold)
{
	if (cJSON_IsNumber(gold)) {
		if (!cJSON_IsNumber(ours))
			mismatch("%s: %s: missing or not a number (golden %.17g)", where, key, gold->valuedouble);
		else if (!close_enough(ours->valuedouble, gold->valuedouble, 1e-12))
			mismatch("%s: %s: %.17g != golden %.17g", where, key, ours->valuedouble, gold->valuedouble);
	} else if (cJSON_IsBool(gold)) {
		if (!cJSON_IsBool(ours) || cJSON_IsTrue(ours) != cJSON_IsTrue(gold))
			mismatch("%s: %s: boolean differs", where, key);
	} else if (cJSON_IsString(gold)) {
		if (!cJSON_IsString(ours) || strcmp(ours->valuestring, gold->valuestring))
			mismatch("%s: %s: '%s' != golden '%s'", where, key,
				 cJSON_IsString(ours) ? ours->valuestring : "(none)", gold->valuestring);
	} else if (cJSON_IsNull(gold)) {
		if (ours && !cJSON_IsNull(ours))
			mismatch("%s: %s: golden is null", where, key);
	} else if (!cJSON_Compare(ours, gold, 1)) {
		mismatch("%s: %s: differs", where, key);
	}
}

/* A vision encoder's op record. */
static bool is_encoder(const cJSON *r)
{
	return str(r, "phase") && strcmp(str(r, "phase"), "encoder") == 0;
}

static void cmd_ops(const cJSON *g, const cJSON *records)
{
	const cJSON *gop;
	size_t expected = 0, ours = 0;
	cJSON_ArrayForEach(gop, get(g, "ops")) {
		if (not_run(gop))
			continue;
		expected++;
		const char *name = str(gop, "name"), *phase = str(gop, "phase");
		const cJSON *op = find_op(records, phase, name);
		char where[160];
		snprintf(where, sizeof where, "%s/%s", phase, name);
		if (!op) {
			mismatch("%s: missing from our op list", where);
			continue;
		}
		compare_values(where, "op_type", get(op, "op_type"), get(gop, "op_type"));
		compare_values(where, "scale_factor", get(op, "scale_factor"), get(gop, "scale_factor"));
		const cJSON *gattrs = get(gop, "attrs"), *attrs = get(op, "attrs");
		const cJSON *a;
		cJSON_ArrayForEach(a, gattrs) {
			/* a FallbackOp's primary_unavailable is what querying found (module tables there or
			 * not), not part of the op's shape: opgraph always writes false */
			if (strcmp(a->string, "primary_unavailable") == 0)
				continue;
			compare_values(where, a->string, get(attrs, a->string), a);
		}
		cJSON_ArrayForEach(a, attrs)
			if (!get(gattrs, a->string))
				mismatch("%s: attrs.%s: not in the golden", where, a->string);
	}
	/* The same ops, in the same order per phase (the order the reference accumulates sums in). */
	const cJSON *r;
	const cJSON *gops = get(g, "ops");
	int gi = 0;
	cJSON_ArrayForEach(r, records) {
		const char *kind = str(r, "record");
		if (!kind || strcmp(kind, "op"))
			continue;
		/* An op of a phase the mode does not run (no points) stands for the golden's not-run ops. */
		if (cJSON_GetArraySize(get(r, "points")) == 0)
			continue;
		if (is_encoder(r))
			continue;
		/* Families with layers of several shapes (NAS) repeat an op name; the golden lists
		 * each (phase, name) once, at its first appearance, with the first op's attrs. */
		if (find_op(records, str(r, "phase") ? str(r, "phase") : "", str(r, "name") ? str(r, "name") : "") != r)
			continue;
		ours++;
		const cJSON *want = NULL;
		while ((want = cJSON_GetArrayItem(gops, gi)) && not_run(want))
			gi++;
		if (!want || strcmp(str(want, "name"), str(r, "name") ? str(r, "name") : "")) {
			mismatch("op order: ours has %s where the golden has %s", str(r, "name") ? str(r, "name") : "?",
				 want ? str(want, "name") : "nothing");
			break;
		}
		gi++;
	}
	if (ours != expected)
		printf("op count: ours %zu, golden %zu\n", ours, expected), mismatches++;
}

static void cmd_inject(const cJSON *g, const cJSON *records)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, records) {
		cJSON *copy = cJSON_Duplicate(r, 1);
		const char *kind = str(r, "record");
		if (kind && strcmp(kind, "op") == 0 && is_encoder(r)) {
			/* the golden has the encoder's total only: the first encoder op carries it */
			bool first = true;
			for (const cJSON *y = records->child; y && y != r; y = y->next)
				if (is_encoder(y))
					first = false;
			const cJSON *e = get(g, "encoder_latency_ms");
			cJSON_AddNumberToObject(copy, "latency_ms", first && cJSON_IsNumber(e) ? e->valuedouble : 0.0);
			cJSON_AddNumberToObject(copy, "energy_wms", 0.0);
			cJSON_AddStringToObject(copy, "source", "empirical");
		} else if (kind && strcmp(kind, "op") == 0) {
			const cJSON *gop = NULL, *x;
			cJSON_ArrayForEach(x, get(g, "ops"))
				if (strcmp(str(x, "name"), str(r, "name")) == 0 && strcmp(str(x, "phase"), str(r, "phase")) == 0)
					gop = x;
			/* the golden sums ops of one name: its latency goes to the first such record only */
			bool repeat = false;
			for (const cJSON *y = records->child; y && y != r; y = y->next)
				if (str(y, "name") && strcmp(str(y, "name"), str(r, "name")) == 0 && str(y, "phase") &&
				    strcmp(str(y, "phase"), str(r, "phase")) == 0)
					repeat = true;
			if (gop && repeat) {
				cJSON_AddNumberToObject(copy, "latency_ms", 0.0);
				cJSON_AddNumberToObject(copy, "energy_wms", 0.0);
				cJSON_AddStringToObject(copy, "source", str(gop, "source") ? str(gop, "source") : "silicon");
			} else if (gop) {
				cJSON_AddNumberToObject(copy, "latency_ms", get(gop, "latency_ms")->valuedouble);
				const cJSON *e = get(gop, "energy_wms");
				cJSON_AddNumberToObject(copy, "energy_wms", cJSON_IsNumber(e) ? e->valuedouble : 0.0);
				cJSON_AddStringToObject(copy, "source", str(gop, "source") ? str(gop, "source") : "silicon");
			}
		}
		char *s = cJSON_PrintUnformatted(copy);
		puts(s);
		free(s);
		cJSON_Delete(copy);
	}
}

static void compare_num(const char *key, const cJSON *ours, const cJSON *gold)
{
	if (!cJSON_IsNumber(gold))
		return;
	if (!cJSON_IsNumber(ours))
		mismatch("%s: missing (golden %.17g)", key, gold->valuedouble);
	else if (!close_enough(ours->valuedouble, gold->valuedouble, REL))
		mismatch("%s: %.17g != golden %.17g (rel %.3g)", key, ours->valuedouble, gold->valuedouble, fabs(ours->valuedouble - gold->valuedouble) / fabs(gold->valuedouble));
}

static void cmd_report(const cJSON *g, const cJSON *records)
{
	const cJSON *rep = NULL, *r;
	cJSON_ArrayForEach(r, records)
		if (str(r, "record") && strcmp(str(r, "record"), "report") == 0)
			rep = r;
	if (!rep) {
		puts("no report record on stdin");
		mismatches++;
		return;
	}
	static const char *const keys[] = {"ttft_ms", "tpot_ms", "encoder_latency_ms", "context_latency_ms",
					   "generation_latency_ms",
					   "request_latency_ms", "seq_per_s", "tokens_per_s", "tokens_per_s_per_gpu",
					   "tokens_per_s_per_user", "num_gpus"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		compare_num(keys[i], get(rep, keys[i]), get(g, keys[i]));
	static const char *const mem[] = {"weights", "kvcache", "activations", "nccl", "others", "total"};
	for (size_t i = 0; i < sizeof mem / sizeof mem[0]; i++) {
		char key[64];
		snprintf(key, sizeof key, "memory_gib.%s", mem[i]);
		compare_num(key, get(get(rep, "memory_gib"), mem[i]), get(get(g, "memory_gib"), mem[i]));
	}
	if (!cJSON_IsBool(get(rep, "oom")) || cJSON_IsTrue(get(rep, "oom")) != cJSON_IsTrue(get(g, "oom")))
		mismatch("oom: differs from the golden");
	const cJSON *ops = get(rep, "ops");
	if (!ops)
		return;
	const cJSON *gop;
	cJSON_ArrayForEach(gop, get(g, "ops")) {
		if (not_run(gop))
			continue;
		const cJSON *op = NULL, *x;
		cJSON_ArrayForEach(x, ops)
			if (str(x, "name") && strcmp(str(x, "name"), str(gop, "name")) == 0 && str(x, "phase") &&
			    strcmp(str(x, "phase"), str(gop, "phase")) == 0)
				op = x;
		char key[160];
		snprintf(key, sizeof key, "ops.%s/%s.latency_ms", str(gop, "phase"), str(gop, "name"));
		if (!op) {
			mismatch("%s: missing", key);
			continue;
		}
		compare_num(key, get(op, "latency_ms"), get(gop, "latency_ms"));
		if (str(gop, "source") && (!str(op, "source") || strcmp(str(op, "source"), str(gop, "source"))))
			mismatch("%s: source '%s' != golden '%s'", key, str(op, "source") ? str(op, "source") : "(none)",
				 str(gop, "source"));
	}
}

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* NEEDLE in HAY as a whole token (compared case-insensitively when FOLD): "b=8" is not found in
 * "num_b=8" nor in "b=80" nor in "b=8.5". */
static bool has_token(const char *hay, const char *needle, bool fold)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++) {
		size_t i = 0;
		while (i < n && p[i] &&
		       (fold ? tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]) : p[i] == needle[i]))
			i++;
		if (i < n)
			continue;
		char after = p[n];
		if ((p == hay || !word_char(p[-1])) && !word_char(after) &&
		    !(after == '.' && p[n + 1] >= '0' && p[n + 1] <= '9'))
			return true;
	}
	return false;
}

/* The reference's argument names that ours spell differently. */
static const char *our_key(const char *key)
{
	if (strcmp(key, "moe_tp_size") == 0)
		return "moe_tp";
	if (strcmp(key, "moe_ep_size") == 0)
		return "moe_ep";
	return key;
}

static char *read_all(FILE *f)
{
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			char *more = realloc(buf, cap * 2);
			if (!more)
				free(buf);
			buf = more;
			cap *= 2;
		}
	}
	if (!buf) {
		fprintf(stderr, "parity_static: out of memory\n");
		exit(2);
	}
	buf[n] = 0;
	return buf;
}

/* Our refusal (the chain's stderr, in ERR) against the reference's error: the line query wrote
 * for the op it could not price must name the same lookup, with the same values. */
static void cmd_refusal(const cJSON *g, const char *err)
{
	const char *ref = str(g, "error");
	if (!ref || !*ref) {
		mismatch("the golden has no error: the reference does not refuse this case");
		return;
	}
	const char *kind = strstr(ref, "Failed to query ");
	const char *args = kind ? strstr(kind, " data for ") : NULL;
	if (!args) {
		mismatch("the reference's error has no \"Failed to query KIND data for ...\": %s", ref);
		return;
	}
	kind += strlen("Failed to query ");
	char want[512];
	snprintf(want, sizeof want, "%.*s", (int)(args - kind), kind);
	args += strlen(" data for ");

	/* query's line for the op, "query: <stdin>:N: op NAME: ..." */
	char *ours = NULL;
	for (const char *l = err; *l;) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		if (strncmp(l, "query: ", 7) == 0) {
			ours = strndup(l, len);
			if (!ours || strstr(ours, ": op "))
				break;
			free(ours);
			ours = NULL;
		}
		l += len + (end != NULL);
	}
	if (!ours) {
		mismatch("no line of query's refusing an op (\"query: ...: op NAME: ...\") in: %s", err);
		return;
	}
	if (!has_token(ours, want, true))
		mismatch("the lookup kind '%s' is not named in: %s", want, ours);

	/* K=V, K=<Enum.NAME: ...>, K='S', ... up to the end or a sentence's full stop */
	const char *p = args;
	while (*p) {
		const char *eq = strchr(p, '=');
		if (!eq)
			break;
		char key[64];
		snprintf(key, sizeof key, "%.*s", (int)(eq - p), p);
		const char *v = eq + 1, *next;
		char tok[256];
		if (*v == '<') {
			const char *dot = strchr(v, '.'), *colon = strchr(v, ':');
			int depth = 0;
			for (next = v; *next; next++) {
				depth += (*next == '<') - (*next == '>');
				if (depth == 0)
					break;
			}
			if (!dot || !colon || dot > colon || !*next) {
				mismatch("cannot read the reference's %s in: %s", key, ref);
				break;
			}
			snprintf(tok, sizeof tok, "%.*s", (int)(colon - dot - 1), dot + 1);
			next++;
		} else if (*v == '\'') {
			next = strchr(v + 1, '\'');
			if (!next) {
				mismatch("cannot read the reference's %s in: %s", key, ref);
				break;
			}
			snprintf(tok, sizeof tok, "%.*s", (int)(next - v - 1), v + 1);
			next++;
		} else {
			next = v + strcspn(v, ", ");
			if (next > v && next[-1] == '.')
				next--;
			snprintf(tok, sizeof tok, "%s=%.*s", our_key(key), (int)(next - v), v);
		}
		if (!has_token(ours, tok, false))
			mismatch("the reference's %s (%s) is not in: %s", key, tok, ours);
		if (strncmp(next, ", ", 2))
			break;
		p = next + 2;
	}

	/* "x is less than the smallest value in the list. x=N" (a grid's edge) */
	const char *below = strstr(ref, "x is less than the smallest value in the list. x=");
	if (below) {
		char tok[128];
		below += strlen("x is less than the smallest value in the list. x=");
		snprintf(tok, sizeof tok, "%.*s is below the smallest key", (int)strcspn(below, ", "), below);
		if (!strstr(ours, tok))
			mismatch("the reference's reason (x below the list's smallest value) is not \"%s\" in: %s", tok, ours);
	}
	if (strstr(ref, "Consider using HYBRID mode") && !strstr(ours, "(try --database-mode hybrid)"))
		mismatch("the reference's hint to use HYBRID mode is not \"(try --database-mode hybrid)\" in: %s", ours);
	free(ours);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: parity_static args|family|error|ops|inject|report|refusal GOLDEN\n");
		return 2;
	}
	cJSON *g = load_json(argv[2]);
	const char *cmd = argv[1];
	if (strcmp(cmd, "args") == 0) {
		print_args(g);
	} else if (strcmp(cmd, "family") == 0) {
		const char *f = str(get(g, "resolved"), "model_family");
		puts(f ? f : "?");
	} else if (strcmp(cmd, "error") == 0) {
		const char *e = str(g, "error");
		puts(e ? e : "");
	} else if (strcmp(cmd, "refusal") == 0) {
		char *err = read_all(stdin);
		cmd_refusal(g, err);
		free(err);
	} else {
		cJSON *records = read_stdin_records();
		if (strcmp(cmd, "ops") == 0)
			cmd_ops(g, records);
		else if (strcmp(cmd, "inject") == 0)
			cmd_inject(g, records);
		else if (strcmp(cmd, "report") == 0)
			cmd_report(g, records);
		else {
			fprintf(stderr, "parity_static: unknown command '%s'\n", cmd);
			return 2;
		}
		cJSON_Delete(records);
	}
	cJSON_Delete(g);
	return mismatches ? 1 : 0;
}
