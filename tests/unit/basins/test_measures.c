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
	/* commune 1 split: 0.4 of it with 0 (T1 = {0, 1 x 0.4}). Worked by hand, each piece
	 * scaled by its weight: area 1 + 0.4; perimeter 4 + 0.4 x 4 - 1 (0's border with 1)
	 * - 0.4 x 1 (1's piece's border with 0; its border with 2 is outside T1) = 4.2.
	 * Flows: inside 10 x 0.4 (0 -> 1) + 0.4 x 3 (1 -> 0) = 5.2; residents 17 + 0.4 x 3
	 * = 18.2; into 3 + 0.4 x 17 = 9.8. */
	{
		cpts_member t1[2] = { { 0, 0, 1.0 }, { 1, 0, 0.4 } };
		cpts_member t2[2] = { { 1, 1, 0.6 }, { 2, 1, 1.0 } };
		double w1[3] = { 1, 0.4, 0 }, w2[3] = { 0, 0.6, 1 };
		near(cpts_measure_pac(&m, &g, t1, 2, w1), 4.2 / (3.54 * sqrt(1.4)), 1e-12,
		     "PAC of {0, 1 x 0.4} = 4.2 / (3.54 sqrt 1.4): pieces weighted");
		/* T2: area 0.6 + 1, perimeter 0.6 x 4 + 4 - 0.6 - 1 = 4.8 */
		near(cpts_measure_pac(&m, &g, t2, 2, w2), 4.8 / (3.54 * sqrt(1.6)), 1e-12,
		     "PAC of {1 x 0.6, 2} = 4.8 / (3.54 sqrt 1.6)");
		cpts_measure_flows(&f, t1, 2, w1, &fs);
		near(fs.in, 5.2, 1e-12, "flows of {0, 1 x 0.4}: 5.2 inside");
		near(fs.res, 18.2, 1e-12, "flows of {0, 1 x 0.4}: 18.2 from its residents");
		near(fs.into, 9.8, 1e-12, "flows of {0, 1 x 0.4}: 9.8 into it");
	}
	/* a graph without edges: no shared border, the union's perimeter is the sum */
	{
		size_t estart[4] = { 0, 0, 0, 0 };
		cpts_graph g0 = { 3, estart, gadj, gkind, 0, 0, 1, 0, 0, gshared, false };
		near(cpts_measure_pac(&m, &g0, ac, 2, w_ac), 8 / (3.54 * sqrt(2.0)), 1e-12,
		     "PAC on a graph without edges = 8 / (3.54 sqrt 2)");
	}
	/* no graph, no flows */
	ok(isnan(cpts_measure_pac(&m, NULL, ab, 2, w_ab)), "PAC without graph: NAN");
	is_int((long)cpts_measure_pieces(&m, NULL, ab, 2, w_ab, piece, queue, &main_piece), 0,
	       "no pieces without graph");
	cpts_measure_flows(NULL, ab, 2, w_ab, &fs);
	ok(fs.in == 0 && fs.res == 0 && fs.into == 0, "flow sums without flows: 0");
	return done_testing();
}
