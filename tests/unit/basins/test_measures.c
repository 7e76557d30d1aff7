/*
 * test_measures.c - the basin measures of a set of communes (cpts/measures.h) on
 * structs made by hand, no workspace: three 1 km squares in a line (0 - 1 - 2, each
 * pair sharing 1 km of border) and a flow matrix whose sums are worked out below.
 */
#include <math.h>
#include <string.h>

#include "cpts/measures.h"
#include "tap.h"

int main(void)
{
	cpts_commune c[3];
	cpts_model m = { 3, c, NULL, NULL, true };
	/* graph: 0-1, 1-2, each 1 km shared; CSR per node */
	size_t gstart[4] = { 0, 1, 3, 4 }, gadj[4] = { 1, 0, 2, 1 };
	unsigned char gkind[4] = { 0 };
	double gshared[4] = { 1, 1, 1, 1 };
	cpts_graph g = { 3, gstart, gadj, gkind, 2, 0, 1, 0, 0, gshared, false };
	/* flows: 0->1 10, 0->2 5, 1->0 3, 2->1 7; 2 from 0 to outside the workspace */
	size_t fstart[4] = { 0, 2, 3, 4 }, fcol[4] = { 1, 2, 0, 1 };
	double fvol[4] = { 10, 5, 3, 7 }, outside[3] = { 2, 0, 0 };
	double row_total[3] = { 17, 3, 7 }, col_total[3] = { 3, 17, 5 };
	cpts_flows f = { 3, fstart, fcol, fvol, outside, row_total, col_total, 27, 0 };
	cpts_member ab[2] = { { 0, 0, 1.0 }, { 1, 0, 1.0 } }, ac[2] = { { 0, 0, 1.0 },
									  { 2, 0, 1.0 } };
	double w_ab[3] = { 1, 1, 0 }, w_ac[3] = { 1, 0, 1 };
	long piece[3] = { -1, -1, -1 }, main_piece;
	size_t queue[3];
	cpts_flowsum fs;

	memset(c, 0, sizeof(c));
	for (int i = 0; i < 3; i++) {
		c[i].area_km2 = 1;
		c[i].perimeter_km = 4;
	}
	c[0].pop = 100;
	c[1].pop = 50;
	c[2].pop = 300;

	/* {0, 1}: inside 0->1 10 + 1->0 3; residents 17 + 3 (outside included); into 3 + 17 */
	cpts_measure_flows(&f, ab, 2, w_ab, &fs);
	near(fs.in, 13, 1e-12, "flows of {0,1}: 13 stay inside");
	near(fs.res, 20, 1e-12, "flows of {0,1}: 20 from its residents (2 outside included)");
	near(fs.into, 20, 1e-12, "flows of {0,1}: 20 into it");
	/* perimeter 4 + 4 - 1 - 1 (the shared km seen from both ends), area 2 */
	near(cpts_measure_pac(&m, &g, ab, 2, w_ab), 6 / (3.54 * sqrt(2.0)), 1e-12,
	     "PAC of {0,1} = 6 / (3.54 sqrt 2)");
	near(cpts_measure_pac(&m, &g, ac, 2, w_ac), 8 / (3.54 * sqrt(2.0)), 1e-12,
	     "PAC of {0,2} (no shared border) = 8 / (3.54 sqrt 2)");
	is_int((long)cpts_measure_pieces(&m, &g, ab, 2, w_ab, piece, queue, &main_piece), 1,
	       "{0,1} is one piece");
	piece[0] = piece[1] = piece[2] = -1;
	is_int((long)cpts_measure_pieces(&m, &g, ac, 2, w_ac, piece, queue, &main_piece), 2,
	       "{0,2} is two pieces");
	is_int(main_piece, piece[2], "the main piece of {0,2} is commune 2's (most population)");
	/* no graph, no flows */
	ok(isnan(cpts_measure_pac(&m, NULL, ab, 2, w_ab)), "PAC without graph: NAN");
	is_int((long)cpts_measure_pieces(&m, NULL, ab, 2, w_ab, piece, queue, &main_piece), 0,
	       "no pieces without graph");
	cpts_measure_flows(NULL, ab, 2, w_ab, &fs);
	ok(fs.in == 0 && fs.res == 0 && fs.into == 0, "flow sums without flows: 0");
	return done_testing();
}
