/* Unit tests of lib/graph/model_qwen3vl (the ViT encoder ops and their points) and lib/query/opquery_vit. */
#include <stdlib.h>
#include <string.h>

#include "model_qwen3vl.h"
#include "opgraph_build.h"
#include "opgraph.h"
#include "opgraph_write.h"
#include "opquery_vit.h"
#include "unit.h"

/* Qwen3-VL-8B-Instruct as hfparse writes it (the fields opgraph reads). */
static const char *vl8b =
	"{\"record\":\"model\",\"model_path\":\"Qwen/Qwen3-VL-8B-Instruct\","
	"\"architecture\":\"Qwen3VLForConditionalGeneration\",\"family\":\"QWEN3VL\",\"layers\":36,\"n\":32,"
	"\"n_kv\":8,\"d\":128,\"hidden_size\":4096,\"inter_size\":12288,\"vocab\":151936,\"context\":262144,"
	"\"extra_params\":{\"depth\":27,\"hidden_size\":1152,\"num_heads\":16,\"intermediate_size\":4304,"
	"\"patch_size\":16,\"temporal_patch_size\":2,\"spatial_merge_size\":2,\"out_hidden_size\":4096,"
	"\"deepstack_visual_indexes\":[8,16,24],\"projector_dims\":[[4608,4608],[4608,4096]],"
	"\"projector_n_instances\":4}}";

static const og_op *find(const og_graph *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->ops[i].name, name) == 0)
			return &g->ops[i];
	return NULL;
}

/* The op record of op as opgraph writes it (og_op_write_with), read back; caller frees. The
 * filter passes the memo graph's attrs text; printed here from the op's attrs, the same bytes. */
static cJSON *written(const og_config *cfg, const og_op *op)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f || !op)
		return NULL;
	og_write_opts o = { false, cfg->rt.point_runs, NULL, NULL, NULL, NULL };
	og_op_write_with(f, cfg, op, "c", &o);
	fclose(f);
	cJSON *r = cJSON_Parse(text);
	free(text);
	return r;
}

static int build(cJSON *rec, og_runtime *rt, og_config *cfg, og_graph *g, char *err, size_t n)
{
	og_model m;
	if (og_model_from_json(rec, &m, err, n) || og_resolve(rt, &m, cfg, err, n))
		return -1;
	return og_build(cfg, g, err, n);
}

int main(void)
{
	cJSON *rec = cJSON_Parse(vl8b);
	char err[256];
	og_runtime rt;
	og_runtime_defaults(&rt);
	CHECK(rt.num_images == 1 && rt.image_height == 0 && rt.image_width == 0);
	rt.system = "h200_sxm";
	rt.backend = "trtllm";
	rt.tp = 4;
	rt.batch = 3;
	rt.isl = 500;
	rt.osl = 10;
	og_config cfg;
	og_graph g;
	CHECK(build(rec, &rt, &cfg, &g, err, sizeof err) == 0);
	/* LLAMA's 28 ops plus 14 encoder ops, the encoder last in the graph */
	CHECK(g.n == 28 + 14);
	CHECK(g.ops[28].phase == OG_ENCODER);
	CHECK_STR(og_phase_name(g.ops[28].phase), "encoder");
	const og_op *att = find(&g, "encoder_attention");
	const og_op *fc0 = find(&g, "encoder_projector_fc0_gemm");
	CHECK(att && fc0);
	long x, b, s;
	/* no image size: zero tokens */
	CHECK(cfg.img_ctx_tokens == 0);
	CHECK(model_qwen3vl_encoder_point(&cfg, att, &x, &b, &s) && x == 0 && b == 3 && s == 0);
	/* weights: 27 x (qkv 864x1152 + proj 1152x288 + ffn 1076x1152 x 2) + 4 x (1152x4608 + 4096x1152), bf16 */
	double enc = 0;
	for (size_t i = 0; i < g.n; i++)
		if (g.ops[i].phase == OG_ENCODER)
			enc += g.ops[i].weights * g.ops[i].scale_factor;
	CHECK_NEAR(enc, 2.0 * (27.0 * (864 * 1152 + 1152 * 288 + 2.0 * 1076 * 1152) + 4.0 * (1152 * 4608 + 4096 * 1152)),
		   0);
	og_graph_free(&g);

	/* 3 images of 640 x 480: 40 x 30 = 1200 patches, 20 x 15 = 300 merged tokens each */
	rt.image_height = 640;
	rt.image_width = 480;
	rt.num_images = 3;
	CHECK(build(rec, &rt, &cfg, &g, err, sizeof err) == 0);
	CHECK(cfg.img_ctx_tokens == 900);
	att = find(&g, "encoder_attention");
	fc0 = find(&g, "encoder_projector_fc0_gemm");
	const og_op *ffn = find(&g, "encoder_ffn1_gemm");
	CHECK(model_qwen3vl_encoder_point(&cfg, att, &x, &b, &s) && b == 9 && s == 1200 && x == 10800);
	CHECK(model_qwen3vl_encoder_point(&cfg, fc0, &x, &b, &s) && b == 3 && s == 900 && x == 2700);
	CHECK(model_qwen3vl_encoder_point(&cfg, ffn, &x, &b, &s) && b == 3 && s == 3600 && x == 10800);
	/* zero-token pricing applies to encoder records' zero-token points only */
	cJSON *op = written(&cfg, att);
	CHECK(op != NULL);
	opq_point pt = {.x = 0};
	CHECK(opquery_vit_zero_image(op, &pt));
	pt.x = 10800;
	CHECK(!opquery_vit_zero_image(op, &pt));
	cJSON_Delete(op);
	op = written(&cfg, find(&g, "context_qkv_gemm"));
	CHECK(op != NULL);
	pt.x = 0;
	CHECK(!opquery_vit_zero_image(op, &pt));
	/* image tokens join the prompt: context s = isl + 900 */
	const cJSON *p0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(op, "points"), 0);
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p0, "s")) == 1400);
	cJSON_Delete(op);
	/* no images at all: no point */
	rt.num_images = 0;
	og_config cfg0;
	og_model m;
	CHECK(og_model_from_json(rec, &m, err, sizeof err) == 0 && og_resolve(&rt, &m, &cfg0, err, sizeof err) == 0);
	CHECK(!model_qwen3vl_encoder_point(&cfg0, att, &x, &b, &s));
	CHECK(cfg0.img_ctx_tokens == 0);
	og_graph_free(&g);

	/* ViT heads must split over tp */
	rt.num_images = 1;
	rt.tp = 32;
	CHECK(build(rec, &rt, &cfg, &g, err, sizeof err) == -1);
	CHECK_STR(err, "ViT num_heads (16) must be divisible by tp_size (32)");
	cJSON_Delete(rec);
	UNIT_DONE();
}
