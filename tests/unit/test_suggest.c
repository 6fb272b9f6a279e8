#include "suggest.h"
#include "unit.h"

int main(void)
{
	static const char known[] = "a100_pcie, a100_sxm, a30, b200_sxm, gb200, h100_pcie, h100_sxm, h200_sxm, l40s";
	char out[256];
	/* the names it begins, else holds, else the nearest */
	CHECK_STR(suggest_names("h200", known, out, sizeof out), "h200_sxm");
	CHECK_STR(suggest_names("h100", known, out, sizeof out), "h100_pcie or h100_sxm");
	CHECK_STR(suggest_names("b200", known, out, sizeof out), "b200_sxm");
	CHECK_STR(suggest_names("B200_SXM", known, out, sizeof out), "b200_sxm");
	CHECK_STR(suggest_names("200_sxm", known, out, sizeof out), "b200_sxm or h200_sxm");
	CHECK_STR(suggest_names("h200sxm", known, out, sizeof out), "h200_sxm");
	CHECK_STR(suggest_names("l40", known, out, sizeof out), "l40s");
	CHECK_STR(suggest_names("h20_sxm", known, out, sizeof out), "h200_sxm");
	/* nothing close, or nothing to go on */
	CHECK_STR(suggest_names("xyz", known, out, sizeof out), "");
	CHECK_STR(suggest_names("", known, out, sizeof out), "");
	CHECK_STR(suggest_names("h200", "", out, sizeof out), "");
	/* a short output buffer truncates, never overruns */
	char small[6];
	CHECK_STR(suggest_names("h100", known, small, sizeof small), "h100_");
	UNIT_DONE();
}
