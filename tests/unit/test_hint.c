#include "hint.h"
#include "unit.h"

#include <stdio.h>

int main(void)
{
	char err[64], small[24];
	/* a hinted message, and the same message behind a caller's prefix */
	CHECK(hint_errf(HINT_MAX_NUM_TOKENS, 9000, err, sizeof err, "isl %d exceeds %d", 9000, 8192) == -1);
	CHECK_STR(err, "isl 9000 exceeds 8192");
	long arg = 0;
	CHECK(hint_of(err, &arg) == HINT_MAX_NUM_TOKENS);
	CHECK(arg == 9000);
	CHECK(hint_of("agg: isl 9000 exceeds 8192", NULL) == HINT_MAX_NUM_TOKENS);
	/* text after it, another message, or a shorter one: not its hint */
	CHECK(hint_of("isl 9000 exceeds 8192 (more)", NULL) == HINT_NONE);
	CHECK(hint_of("moe_tp is unset", NULL) == HINT_NONE);
	CHECK(hint_of("8192", NULL) == HINT_NONE);
	/* the words after it, cut to fit */
	hint_cat(err, sizeof err, " (raise it to %ld)", arg);
	CHECK_STR(err, "isl 9000 exceeds 8192 (raise it to 9000)");
	snprintf(small, sizeof small, "%s", "abcdefghijklmnopqrst");
	hint_cat(small, sizeof small, "%s", "uvwxyz");
	CHECK_STR(small, "abcdefghijklmnopqrstuvw");
	/* a later message replaces the hint; a note for a message already written */
	hint_note(HINT_STRICT, 0, "fallback: dp 2");
	CHECK(hint_of(err, NULL) == HINT_NONE);
	CHECK(hint_of("warning: fallback: dp 2", NULL) == HINT_STRICT);
	CHECK(hint_errf(HINT_NONE, 0, NULL, 0, "x") == -1);
	UNIT_DONE();
}
