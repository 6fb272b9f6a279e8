/* Unit tests of lib/deploy/deploy_price: a pick's pricing record (its layout as opgraph's runtime,
 * pandas' 4.0 counts, no record rather than a wrong one), and reports matched back to picks by
 * config_id, by rank order, and never from an `error` report. */
#include "deploy_price.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

static char *write_tmp(const char *name, const char *text)
{
	static char path[2][96];
	static int which;
	char *p = path[which++ % 2];
	snprintf(p, sizeof path[0], "/tmp/infercast_deploy_price_%d_%s", (int)getpid(), name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

static char *runtime_text(const cJSON *rec)
{
	return cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(rec, "runtime"));
}

int main(void)
{
	char err[512];
	cJSON *model = cJSON_Parse("{\"record\":\"model\",\"model_path\":\"m\"}");
	deploy_ctx c = {0};
	csvtab t;

	char *p = write_tmp("agg.csv", "bs,tp,pp,dp,moe_tp,moe_ep,ctx_tokens,x\n"
				       "80,2.0,1,1,1,1,8192,a\n"
				       "8,2,1,1,1,1,4096.5,b\n");
	CHECK(csvtab_load(&t, p, err, sizeof err) == 0);
	cJSON *rec = deploy_price_record(&c, model, &t, 0, 3);
	CHECK(rec != NULL);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "config_id")), "agg/top3");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "model_path")), "m");
	char *rt = runtime_text(rec);
	CHECK_STR(rt, "{\"mode\":\"agg\",\"batch\":80,\"ctx_tokens\":8192,\"tp\":2,\"pp\":1,\"dp\":1,\"moe_tp\":1,\"moe_ep\":1}");
	free(rt);
	cJSON_Delete(rec);
	/* half a context token: no record (the pick gets no per-op sources), not a rounded layout */
	CHECK(deploy_price_record(&c, model, &t, 1, 4) == NULL);
	csvtab_free(&t);

	c.disagg = true;
	p = write_tmp("disagg.csv", "(p)bs,(d)bs,(p)tp,(p)pp,(p)dp,(p)moe_tp,(p)moe_ep,(p)workers,"
				    "(d)tp,(d)pp,(d)dp,(d)moe_tp,(d)moe_ep,(d)workers\n"
				    "1,280,1,1,1,1,1,4,4,1,1,1,1,1\n");
	CHECK(csvtab_load(&t, p, err, sizeof err) == 0);
	rec = deploy_price_record(&c, model, &t, 0, 1);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "config_id")), "disagg/top1");
	rt = runtime_text(rec);
	CHECK_STR(rt, "{\"mode\":\"disagg\",\"prefill_batch\":1,\"decode_batch\":280,\"prefill_tp\":1,\"prefill_pp\":1,"
		      "\"prefill_dp\":1,\"prefill_moe_tp\":1,\"prefill_moe_ep\":1,\"prefill_workers\":4,\"decode_tp\":4,"
		      "\"decode_pp\":1,\"decode_dp\":1,\"decode_moe_tp\":1,\"decode_moe_ep\":1,\"decode_workers\":1}");
	free(rt);
	cJSON_Delete(rec);
	/* a disagg layout read from an agg file: a column is missing, so no record */
	c.disagg = false;
	CHECK(deploy_price_record(&c, model, &t, 0, 1) == NULL);
	csvtab_free(&t);

	/* by id: each pick its own report, wherever it stands; an error report is none */
	deploy_sources s;
	p = write_tmp("by_id.jsonl", "{\"record\":\"report\",\"config_id\":\"disagg/top1\",\"n\":1}\n"
				     "{\"record\":\"report\",\"config_id\":\"agg/top2\",\"n\":2}\n"
				     "{\"record\":\"report\",\"config_id\":\"agg/top1\",\"error\":\"x\"}\n");
	deploy_sources_read(&s, p);
	CHECK(s.n == 3 && s.by_id);
	c.disagg = false;
	const cJSON *r = deploy_sources_find(&s, &c, 2, 0);
	CHECK(r && cJSON_GetObjectItemCaseSensitive(r, "n")->valuedouble == 2);
	CHECK(deploy_sources_find(&s, &c, 1, 1) == NULL);
	CHECK(deploy_sources_find(&s, &c, 3, 2) == NULL);
	c.disagg = true;
	r = deploy_sources_find(&s, &c, 1, 0);
	CHECK(r && cJSON_GetObjectItemCaseSensitive(r, "n")->valuedouble == 1);
	CHECK(deploy_sources_find(&s, &c, 2, 1) == NULL);
	deploy_sources_free(&s);

	/* no pick ids: the picks' in rank order */
	p = write_tmp("in_order.jsonl", "{\"record\":\"report\",\"config_id\":\"c1\",\"n\":1}\n"
					"{\"record\":\"report\",\"config_id\":\"c1\",\"error\":\"x\"}\n");
	deploy_sources_read(&s, p);
	CHECK(s.n == 2 && !s.by_id);
	r = deploy_sources_find(&s, &c, 7, 0);
	CHECK(r && cJSON_GetObjectItemCaseSensitive(r, "n")->valuedouble == 1);
	CHECK(deploy_sources_find(&s, &c, 8, 1) == NULL);
	CHECK(deploy_sources_find(&s, &c, 9, 2) == NULL);
	deploy_sources_free(&s);
	unlink(p);
	unlink(write_tmp("by_id.jsonl", ""));
	unlink(write_tmp("agg.csv", ""));
	unlink(write_tmp("disagg.csv", ""));

	cJSON_Delete(model);
	UNIT_DONE();
}
