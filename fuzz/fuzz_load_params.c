/* Fuzz the load model (lib/serve/serving_load): its parameter file reader on any bytes, then the
 * model itself on the parameters read and on inputs taken from the bytes (any doubles: NaN,
 * infinities, huge batches). It must accept or explain, never crash, leak or loop. */
#include "fuzz_common.h"
#include "serving_load.h"

#include <unistd.h>

static double take(const uint8_t **p, size_t *n)
{
	double d = 0;
	if (*n >= sizeof d) {
		memcpy(&d, *p, sizeof d);
		*p += sizeof d;
		*n -= sizeof d;
	}
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	char err[1024];
	if (size && data[0] & 1) {
		/* the model on raw inputs and parameters */
		const uint8_t *p = data + 1;
		size_t n = size - 1;
		load_inputs in = {take(&p, &n), take(&p, &n), take(&p, &n), take(&p, &n),
				  take(&p, &n), take(&p, &n), take(&p, &n), take(&p, &n)};
		load_params lp = {take(&p, &n), take(&p, &n), take(&p, &n), take(&p, &n),
				  take(&p, &n), take(&p, &n), take(&p, &n)};
		load_result r;
		if (load_eval(&in, &lp, &r, err, sizeof err) && strncmp(err, "load model: ", 12) != 0)
			abort(); /* every complaint says where it comes from */
		load_disagg_inputs di = {in.batch, in.chunk_prompts, in.isl, in.osl, in.chunk_tokens,
					 in.prefill_ms, in.chunk_ms, in.chunk_prompts, in.decode_ms};
		if (load_eval_disagg(&di, &lp, &r, err, sizeof err) && strncmp(err, "load model: ", 12) != 0)
			abort();
		return 0;
	}
	char path[] = "/tmp/fuzz_load_params.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	load_model m;
	if (load_model_read(path, &m, err, sizeof err) == 0) {
		static const char *const versions[] = {NULL, "0.5.1.post1", "1.0.0rc3", "0.18.0", "glm5-hopper"};
		static const char *const backends[] = {"trtllm", "vllm", "sglang"};
		for (size_t b = 0; b < 3; b++)
			for (size_t v = 0; v < 5; v++) {
				const load_entry *e = load_model_find(&m, backends[b], versions[v], err, sizeof err);
				if (!e)
					continue;
				load_inputs in = {64, 4000, 1000, 8192, 200, 400, 2, 15};
				load_result r;
				(void)load_eval(&in, &e->p, &r, err, sizeof err);
			}
		load_model_free(&m);
	} else if (strncmp(err, path, strlen(path)) != 0) {
		abort(); /* every complaint names the file */
	}
	unlink(path);
	return 0;
}
