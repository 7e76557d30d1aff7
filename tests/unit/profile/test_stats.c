/*
 * test_stats.c - the statistics of the profile module against independent reference
 * values: ICC with its exact Poisson (Garwood) and Byar intervals, the two-proportion
 * test, and the APL two-step floating catchment (centroid and OD-matrix modes).
 *
 * Reference values were computed with Python 3.11 + SciPy 1.10.1 (Debian 12,
 * `apt-get install python3-scipy`), not with this code:
 *
 *   from scipy.stats import chi2, norm, chi2_contingency
 *   garwood: lo = 100*chi2.ppf(a/2, 2*O)/(2*E), hi = 100*chi2.ppf(1-a/2, 2*O+2)/(2*E)
 *   byar:    z = norm.ppf(1-a/2); lo = 100*O*(1-1/(9*O)-z/(3*sqrt(O)))**3/E,
 *            hi = 100*(O+1)*(1-1/(9*(O+1))+z/(3*sqrt(O+1)))**3/E
 *   two-proportion z test: p of chi2_contingency([[x1,n1-x1],[x2,n2-x2]],
 *            correction=False) (Pearson chi-square = z^2, an independent route)
 *   APL: brute-force O(n^2) loops in Python over the same points (script in the
 *        comment of test_apl below).
 */
#include <math.h>

#include "cpts/ctx.h"
#include "cpts/profile.h"
#include "tap.h"

#define TOL 1e-6

static void test_icc(void)
{
	double lo, hi, icc;

	icc = cpts_icc(37, 52.3, 0.05, false, &lo, &hi);
	near(icc, 70.7456978967495, TOL, "ICC 37/52.3");
	near(lo, 49.8115001283098, TOL, "Garwood lower, O=37 E=52.3");
	near(hi, 97.513625510384, TOL, "Garwood upper, O=37 E=52.3");
	is_int(cpts_icc_signif(lo, hi), -1, "37/52.3 significantly below 100");

	icc = cpts_icc(0, 12.5, 0.05, false, &lo, &hi);
	near(icc, 0, TOL, "ICC with O=0");
	near(lo, 0, TOL, "Garwood lower with O=0 is 0");
	near(hi, 29.5110356329115, TOL, "Garwood upper with O=0");

	icc = cpts_icc(250.5, 200.0, 0.05, false, &lo, &hi);
	near(icc, 125.25, TOL, "ICC of a weighted (non-integer) count");
	near(lo, 110.218505535301, TOL, "Garwood lower, O=250.5");
	near(hi, 141.759314461254, TOL, "Garwood upper, O=250.5");
	is_int(cpts_icc_signif(lo, hi), 1, "250.5/200 significantly above 100");

	icc = cpts_icc(1234, 1100.0, 0.05, false, &lo, &hi);
	near(lo, 106.009247137959, TOL, "Garwood lower, O=1234");
	near(hi, 118.620033684448, TOL, "Garwood upper, O=1234");

	/* from 1,000 dof, Wilson-Hilferty polished by Newton (gsl.c): scipy's value to
	   1e-12 relative (GSL 2.7's own inverse gives the upper bound 3e-9 relative off) */
	cpts_icc(1161.06, 1000.0, 0.05, false, &lo, &hi);
	near(lo, 109.52276794617, 1e-10, "Garwood lower, O=1161.06 (2,322 dof), to 1e-12");
	near(hi, 122.981526523269, 1e-10, "Garwood upper, O=1161.06 (2,324 dof), to 1e-12");

	/* large counts: GSL's quantile fails there, the adapter falls back (see gsl.c) */
	cpts_icc(196923, 200092.726093745, 0.05, false, &lo, &hi);
	near(lo, 97.9816696048565, TOL, "Garwood lower, O=196923 (2O dof > 1e5)");
	near(hi, 98.8515207875947, TOL, "Garwood upper, O=196923");
	cpts_icc(12345678, 12000000, 0.05, false, &lo, &hi);
	near(lo, 102.823269466785, TOL, "Garwood lower, O=12345678 (national scale)");
	near(hi, 102.938054654755, TOL, "Garwood upper, O=12345678");

	icc = cpts_icc(37, 52.3, 0.05, true, &lo, &hi);
	near(lo, 49.8049034692286, TOL, "Byar lower, O=37 E=52.3");
	near(hi, 97.5164370808128, TOL, "Byar upper, O=37 E=52.3");
	icc = cpts_icc(1234, 1100.0, 0.05, true, &lo, &hi);
	near(lo, 106.009204905665, TOL, "Byar lower, O=1234");
	near(hi, 118.620070433549, TOL, "Byar upper, O=1234");
	is_int(cpts_icc_signif(95, 105), 0, "an interval around 100 is not significant");
	ok(isnan(cpts_icc(5, 0, 0.05, false, &lo, &hi)) && isnan(lo), "E = 0 gives NAN");
}

static void test_two_prop(void)
{
	double z;

	near(cpts_two_prop_test(120, 800, 900, 9000, &z), 9.07355081166945e-06, TOL,
	     "two-proportion p, 120/800 vs 900/9000");
	near(z, 4.43814969539625, TOL, "z statistic");
	near(cpts_two_prop_test(13600, 80000, 40000, 300000, NULL), 1.95740076411818e-154, TOL,
	     "two-proportion p, 13600/80000 vs 40000/300000 (tiny p)");
	near(cpts_two_prop_test(900, 9000, 120, 800, &z), 9.07355081166945e-06, TOL,
	     "the test is symmetric");
	ok(z < 0, "z changes sign with the order");
	ok(isnan(cpts_two_prop_test(1, 0, 5, 10, NULL)), "empty group: NAN");
}

/*
 * The p-value's range over a box of counts (masked cells in [1, 10]). Python (scipy,
 * every integer point): x1 in 150..152 of 1000, x2 in 300..303 of 3000: p from
 * 6.855063481740686e-06 to 2.2901238622089376e-05; x1 in 100..190, x2 in 300..390:
 * p from 5.577375173355298e-14 to 1.0.
 */
static void test_two_prop_box(void)
{
	double lo, hi, p;

	cpts_two_prop_test_box(150, 152, 1000, 300, 303, 3000, &lo, &hi);
	ok(lo <= 6.855063481740686e-06 && hi >= 2.2901238622089376e-05,
	   "box range holds every point's p (%g, %g)", lo, hi);
	ok(lo > 0.5 * 6.855063481740686e-06 && hi < 2 * 2.2901238622089376e-05,
	   "and stays close to it on a small box");
	ok(cpts_pvalue_class(lo) == cpts_pvalue_class(hi) && cpts_pvalue_class(hi) == 0.001,
	   "one class over the box: p < 0,001 at every point");
	cpts_two_prop_test_box(100, 190, 1000, 300, 390, 3000, &lo, &hi);
	ok(lo <= 5.577375173355298e-14 && hi == 1.0, "a box across equality reaches p = 1");
	p = cpts_two_prop_test(120, 800, 900, 9000, NULL);
	cpts_two_prop_test_box(120, 120, 800, 900, 900, 9000, &lo, &hi);
	ok(fabs(lo - p) <= 1e-12 * p && fabs(hi - p) <= 1e-12 * p,
	   "a box of one point: the test's p at both ends (%.15g, %.15g; %.15g)", lo, hi, p);
	cpts_two_prop_test_box(5, 20, 10, 1, 2, 100, &lo, &hi);
	ok(isnan(lo) && isnan(hi), "a numerator above its denominator: NAN");
}

/*
 * Python (brute force):
 *   pts=[(0,0,2154),(5000,0,2154),(12000,0,2154),(0,9000,2154),(30000,30000,2154),
 *        (0,0,5490)]; pop=[1000,2000,500,800,300,400]; sup=[10000,0,5000,0,2000,1000]
 *   w(t) = 1 if t<10 else 2/3 if t<15 else 1/3 if t<20 else 0
 *   d(i,j) = hypot(dx,dy)/1000*1.3 (minutes at 60 km/h), infinite across CRS
 *   R[j] = sup[j]/sum_i pop[i]*w(d(i,j)); APL[i] = sum_j w(d(i,j))*R[j]
 * OD: pop=[100,200,300], sup=[1000,500,800], times {(0,0):0,(0,1):12,(1,0):8,
 *   (1,2):16,(2,1):25,(0,2):9}, a missing (i,i) is 0, other missing pairs are out.
 */
static void test_apl(void)
{
	cpts_ctx ctx;
	static const double x[] = { 0, 5000, 12000, 0, 30000, 0 };
	static const double y[] = { 0, 0, 0, 9000, 30000, 0 };
	static const int srid[] = { 2154, 2154, 2154, 2154, 2154, 5490 };
	static const double pop[] = { 1000, 2000, 500, 800, 300, 400 };
	static const double sup[] = { 10000, 0, 5000, 0, 2000, 1000 };
	static const double want[] = { 3.24033711130485, 4.31560592850915, 2.51380412670735,
				       2.33943621040395, 6.66666666666667, 2.5 };
	static const size_t od_start[] = { 0, 3, 5, 6 };
	static const size_t od_dest[] = { 0, 1, 2, 0, 2, 1 };
	static const double od_min[] = { 0, 12, 9, 8, 16, 25 };
	static const double pop2[] = { 100, 200, 300 }, sup2[] = { 1000, 500, 800 };
	static const double want2[] = { 6.29761904761905, 5.77976190476191, 1.71428571428571 };
	double apl[6];
	cpts_apl_input in = { 6, x, y, srid, pop, sup, NULL, NULL, NULL, 1.3, 60.0,
			      { 10, 15, 20 }, { 1.0, 2.0 / 3.0, 1.0 / 3.0 } };

	if (cpts_ctx_init(&ctx) < 0) {
		ok(0, "context");
		return;
	}
	is_int(cpts_apl_compute(&ctx, apl, &in), CPTS_OK, "APL centroid mode runs");
	for (int i = 0; i < 6; i++)
		near(apl[i], want[i], TOL, "APL of point %d (centroid distances)", i);
	in.n = 3;
	in.pop = pop2;
	in.supply = sup2;
	in.od_start = od_start;
	in.od_dest = od_dest;
	in.od_min = od_min;
	is_int(cpts_apl_compute(&ctx, apl, &in), CPTS_OK, "APL OD mode runs");
	for (int i = 0; i < 3; i++)
		near(apl[i], want2[i], TOL, "APL of point %d (OD matrix)", i);
	in.t[1] = 5;
	is_int(cpts_apl_compute(&ctx, apl, &in), CPTS_EUSAGE, "decreasing bands rejected");
	cpts_ctx_release(&ctx);
}

int main(void)
{
	cpts_ctx ctx;

	/* the context switches GSL's abort-on-error handler off (src/dep/gsl.c) */
	if (cpts_ctx_init(&ctx) < 0)
		skip_all("cannot initialise a context");
	test_icc();
	test_two_prop();
	test_two_prop_box();
	test_apl();
	cpts_ctx_release(&ctx);
	return done_testing();
}
