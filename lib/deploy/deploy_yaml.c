/* deploy_yaml: YAML documents built in memory and written with libyaml's emitter. */
#include "deploy_yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "diag.h"
#include "outfile.h"
#include "pyfloat.h"

static ynode *node(ynode_kind k, const char *text)
{
	ynode *n = xcalloc(1, sizeof *n);
	n->kind = k;
	if (text)
		n->text = xstrdup(text);
	return n;
}

ynode *yn_map(void) { return node(YN_MAP, NULL); }
ynode *yn_seq(void) { return node(YN_SEQ, NULL); }

ynode *yn_flow_seq(void)
{
	ynode *n = node(YN_SEQ, NULL);
	n->flow = true;
	return n;
}

ynode *yn_str(const char *s) { return node(YN_STR, s ? s : ""); }

ynode *yn_strf(const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		die(EXIT_DATA, "out of memory");
	char *s = xmalloc((size_t)len + 1);
	vsnprintf(s, (size_t)len + 1, fmt, ap2);
	va_end(ap2);
	ynode *n = node(YN_STR, NULL);
	n->text = s;
	return n;
}

ynode *yn_block(const char *s)
{
	ynode *n = node(YN_STR, s ? s : "");
	n->block = true;
	return n;
}

ynode *yn_int(long long v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", v);
	return node(YN_INT, buf);
}

ynode *yn_num(double v)
{
	char buf[40];
	py_float_repr(v, buf, sizeof buf);
	return node(YN_NUM, buf);
}

ynode *yn_bool(bool v) { return node(YN_BOOL, v ? "true" : "false"); }
ynode *yn_null(void) { return node(YN_NULL, "null"); }

static void grow(ynode *n)
{
	if (n->n < n->cap)
		return;
	n->cap = n->cap ? 2 * n->cap : 8;
	n->items = xrealloc(n->items, n->cap * sizeof *n->items);
	if (n->kind == YN_MAP)
		n->keys = xrealloc(n->keys, n->cap * sizeof *n->keys);
}

ynode *yn_set(ynode *map, const char *key, ynode *val)
{
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0) {
			yn_free(map->items[i]);
			map->items[i] = val;
			return val;
		}
	grow(map);
	map->keys[map->n] = xstrdup(key);
	map->items[map->n++] = val;
	return val;
}

ynode *yn_push(ynode *seq, ynode *val)
{
	grow(seq);
	seq->items[seq->n++] = val;
	return val;
}

ynode *yn_get(const ynode *map, const char *key)
{
	if (!map || map->kind != YN_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	return NULL;
}

ynode *yn_map_at(ynode *root, const char *dotted)
{
	char part[256];
	ynode *cur = root;
	const char *p = dotted;
	while (cur && *p) {
		size_t len = strcspn(p, ".");
		if (len == 0 || len >= sizeof part)
			return NULL;
		memcpy(part, p, len);
		part[len] = '\0';
		ynode *next = yn_get(cur, part);
		if (!next)
			next = yn_set(cur, part, yn_map());
		if (next->kind != YN_MAP)
			return NULL;
		cur = next;
		p += len;
		if (*p == '.')
			p++;
	}
	return cur;
}

void yn_free(ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		yn_free(n->items[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->items);
	free(n->keys);
	free(n->text);
	free(n);
}

/* Characters of the number forms YAML 1.1 and 1.2 resolve (decimal, 0x, 0o, 0b, 1_000, 1e3,
 * sexagesimal 1:30). A string made only of them, starting with a digit or '.', is taken as a
 * possible number and quoted; quoting a string that would have read back as one does no harm. */
static bool number_like(const char *s)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (strcasecmp(p, ".inf") == 0 || strcasecmp(p, ".nan") == 0)
		return true;
	if (!((*p >= '0' && *p <= '9') || *p == '.'))
		return false;
	return p[strspn(p, "0123456789abcdefABCDEFxXoO_.:+-")] == '\0';
}

bool yaml_plain_is_string(const char *s)
{
	static const char *const words[] = {
		"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "<<", "=",
	};
	if (!*s)
		return false;
	/* none of the words is longer than five letters: a longer scalar is compared with none (every
	 * key and value of a deployment file comes here, some 10,000 a run) */
	if (s[1] == 0 || s[2] == 0 || s[3] == 0 || s[4] == 0 || s[5] == 0)
		for (size_t i = 0; i < sizeof words / sizeof *words; i++)
			if (strcasecmp(s, words[i]) == 0)
				return false;
	if (number_like(s))
		return false;
	/* YAML 1.1 timestamps: 2026-05-01, 2026-5-1T10:00:00Z */
	if (strlen(s) >= 8 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
	    s[2] <= '9' && s[3] >= '0' && s[3] <= '9' && s[4] == '-')
		return false;
	return true;
}

typedef struct writer {
	yaml_emitter_t em;
	const char *name;
	char *err;
	size_t errlen;
	int failed;
} writer;

/* ev emitted (libyaml takes it over); after a failure only deleted. */
static int emit(writer *w, yaml_event_t *ev)
{
	if (w->failed) {
		yaml_event_delete(ev);
		return -1;
	}
	if (!yaml_emitter_emit(&w->em, ev)) {
		w->failed = 1;
		diag_errf(w->err, w->errlen, "%s: %s", w->name,
			  w->em.error == YAML_WRITER_ERROR ? strerror(errno)
			  : w->em.problem                  ? w->em.problem
							   : "cannot write YAML");
		return -1;
	}
	return 0;
}

static int scalar(writer *w, const char *text, yaml_scalar_style_t style)
{
	if (w->failed)
		return -1;
	/* libyaml makes no event of text that is not UTF-8 (a picks file edited in Latin-1, say):
	 * emitted anyway, the uninitialised event was freed again (fuzz_deploygen) */
	yaml_event_t ev;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1, style)) {
		w->failed = 1;
		return diag_errf(w->err, w->errlen, "%s: a value is not UTF-8 text (YAML holds UTF-8 only)", w->name);
	}
	return emit(w, &ev);
}

static int emit_node(writer *w, const ynode *n)
{
	yaml_event_t ev;
	switch (n->kind) {
	case YN_MAP:
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						    n->n ? YAML_BLOCK_MAPPING_STYLE : YAML_FLOW_MAPPING_STYLE);
		if (emit(w, &ev))
			return -1;
		for (size_t i = 0; i < n->n; i++) {
			if (scalar(w, n->keys[i],
				   yaml_plain_is_string(n->keys[i]) ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE) ||
			    emit_node(w, n->items[i]))
				return -1;
		}
		yaml_mapping_end_event_initialize(&ev);
		return emit(w, &ev);
	case YN_SEQ:
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     n->flow || !n->n ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
		if (emit(w, &ev))
			return -1;
		for (size_t i = 0; i < n->n; i++)
			if (emit_node(w, n->items[i]))
				return -1;
		yaml_sequence_end_event_initialize(&ev);
		return emit(w, &ev);
	case YN_STR:
		if (n->block)
			return scalar(w, n->text, YAML_LITERAL_SCALAR_STYLE);
		return scalar(w, n->text, yaml_plain_is_string(n->text) ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	default:
		return scalar(w, n->text, YAML_PLAIN_SCALAR_STYLE);
	}
}

int yn_write(FILE *out, const char *name, const char *header, ynode *const *docs, size_t ndocs, char *err, size_t errlen)
{
	if (header) {
		for (const char *p = header; *p;) {
			size_t len = strcspn(p, "\n");
			fprintf(out, len ? "# %.*s\n" : "#\n", (int)len, p);
			p += len;
			if (*p == '\n')
				p++;
		}
	}
	writer w = {.name = name, .err = err, .errlen = errlen};
	if (!yaml_emitter_initialize(&w.em))
		return diag_errf(err, errlen, "%s: cannot start the YAML emitter", name);
	yaml_emitter_set_output_file(&w.em, out);
	yaml_emitter_set_unicode(&w.em, 1);
	yaml_emitter_set_width(&w.em, -1);
	yaml_emitter_set_indent(&w.em, 2);
	yaml_event_t ev;
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(&w, &ev);
	for (size_t i = 0; i < ndocs; i++) {
		yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, i == 0);
		emit(&w, &ev);
		emit_node(&w, docs[i]);
		yaml_document_end_event_initialize(&ev, 1);
		emit(&w, &ev);
	}
	yaml_stream_end_event_initialize(&ev);
	emit(&w, &ev);
	yaml_emitter_delete(&w.em);
	return w.failed ? -1 : 0;
}

int yn_write_file(const char *path, const char *header, ynode *const *docs, size_t ndocs, char *err, size_t errlen)
{
	FILE *f = outfile_open(path);
	if (!f)
		return diag_errf(err, errlen, "%s: %s", path, strerror(errno));
	int rc = yn_write(f, path, header, docs, ndocs, err, errlen);
	if (outfile_close(f) != 0 && rc == 0)
		rc = diag_errf(err, errlen, "%s: %s", path, strerror(errno));
	return rc;
}
