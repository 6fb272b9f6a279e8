#include "op_fields.h"
#include "diag.h"
#include "jsonarena.h"
#include "jsonget.h"

#include <stdlib.h>
#include <string.h>

const char *const op_field_keys[OPF_STRINGS] = { "config_id", "name", "phase", "error", "source", "step" };

void op_fields_of_json(const cJSON *rec, op_fields *f)
{
	memset(f, 0, sizeof *f);
	for (int k = 0; k < OPF_STRINGS; k++) {
		const cJSON *v = json_member(rec, op_field_keys[k]);
		if (cJSON_IsString(v))
			f->str[k] = v->valuestring;
		else if (v && !cJSON_IsNull(v))
			f->wrong |= 1u << k;
	}
	const cJSON *lat = json_member(rec, "latency_ms"), *energy = json_member(rec, "energy_wms"),
		    *scale = json_member(rec, "scale_factor");
	if ((f->has_latency = cJSON_IsNumber(lat)))
		f->latency_ms = lat->valuedouble;
	if (cJSON_IsNumber(energy))
		f->energy_wms = energy->valuedouble;
	else if (energy && !cJSON_IsNull(energy))
		f->wrong |= 1u << OPF_ENERGY;
	if ((f->has_scale = cJSON_IsNumber(scale)))
		f->scale_factor = scale->valuedouble;
}

/* The members the scan reads: the string fields (OPF_*), then these. */
enum { KEY_RECORD = OPF_STRINGS, KEY_LATENCY, KEY_ENERGY, KEY_SCALE, KEY_COUNT };

/* Which of them key is (-1: none), by its length first: most members are not wanted, and a
 * memcmp of a constant length is a compare or two. */
static int key_index(const char *key, size_t len)
{
#define IS(word) (memcmp(key, word, sizeof word - 1) == 0)
	switch (len) {
	case 4: return IS("name") ? OPF_NAME : IS("step") ? OPF_STEP : -1;
	case 5: return IS("phase") ? OPF_PHASE : IS("error") ? OPF_ERROR : -1;
	case 6: return IS("record") ? KEY_RECORD : IS("source") ? OPF_SOURCE : -1;
	case 9: return IS("config_id") ? OPF_CONFIG_ID : -1;
	case 10: return IS("latency_ms") ? KEY_LATENCY : IS("energy_wms") ? KEY_ENERGY : -1;
	case 12: return IS("scale_factor") ? KEY_SCALE : -1;
	default: return -1;
	}
#undef IS
}

static bool is_text(const jsonarena_member *m, const char *s, size_t len)
{
	return m->val_len == len && memcmp(m->val, s, len) == 0;
}

/* The first member of a wanted key into *f (strings copied into buf at *used, NUL ended). */
static void take_member(op_fields *f, int k, const jsonarena_member *m, double num, char *buf, size_t *used)
{
	if (k < OPF_STRINGS) {
		if (m->type == cJSON_String) {
			char *s = buf + *used;
			memcpy(s, m->val, m->val_len);
			s[m->val_len] = '\0';
			*used += m->val_len + 1;
			f->str[k] = s;
		} else if (m->type != cJSON_NULL) {
			f->wrong |= 1u << k;
		}
	} else if (k == KEY_LATENCY) {
		f->has_latency = m->type == cJSON_Number;
		f->latency_ms = num;
	} else if (k == KEY_ENERGY) {
		if (m->type == cJSON_Number)
			f->energy_wms = num;
		else if (m->type != cJSON_NULL)
			f->wrong |= 1u << OPF_ENERGY;
	} else if (k == KEY_SCALE) {
		f->has_scale = m->type == cJSON_Number;
		f->scale_factor = num;
	}
}

enum op_scan_result op_fields_scan(op_scan_buf *buf, const char *text, size_t len, op_fields *f)
{
	/* the strings copied are parts of the text, each with two quotes where its NUL goes */
	if (buf->cap < len + 1) {
		free(buf->data);
		buf->cap = len + 1 > 512 ? len + 1 : 512;
		buf->data = xmalloc(buf->cap);
	}
	memset(f, 0, sizeof *f);
	jsonarena_scan s;
	jsonarena_scan_start(&s, text, len);
	jsonarena_member m;
	unsigned seen = 0;
	size_t used = 0;
	bool op = false;
	int more;
	while ((more = jsonarena_scan_next(&s, &m)) == 1) {
		int k = key_index(m.key, m.key_len);
		if (k < 0)
			continue;
		/* a wanted member is built by jsonarena_pick, repeats too, which refuses a number that
		 * is not finite, in an object or array too (whose numbers the scan does not read); an
		 * escaped string is not copied as it is */
		double num = 0.0;
		if (m.escaped || m.type == cJSON_Object || m.type == cJSON_Array ||
		    (m.type == cJSON_Number && !jsonarena_member_number(&m, &num)))
			return OP_SCAN_REFUSED;
		if (seen & 1u << k)
			continue; /* cJSON finds the first */
		seen |= 1u << k;
		if (k == KEY_RECORD && m.type == cJSON_String) {
			if (is_text(&m, "config", 6))
				return OP_SCAN_CONFIG; /* read whole by the caller, which checks the rest */
			op = is_text(&m, "op", 2);
		}
		take_member(f, k, &m, num, buf->data, &used);
	}
	if (more < 0)
		return OP_SCAN_REFUSED;
	return op ? OP_SCAN_OP : OP_SCAN_OTHER;
}

void op_scan_buf_free(op_scan_buf *buf)
{
	free(buf->data);
	*buf = (op_scan_buf){ 0 };
}
