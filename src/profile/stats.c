/*
 * stats.c - the statistics of the profiles: ICC by indirect standardisation with its
 * exact Poisson (Garwood) or Byar interval, and the two-proportion z-test of the
 * médecin traitant gap (DOMAIN.md section 6). Quantiles come from GSL through the
 * adapter in src/dep (cpts_chi2_quantile, cpts_normal_quantile).
 */
#include <math.h>

#include "cpts/profile.h"
#include "dep/dep.h"

double cpts_icc(double observed, double expected, double alpha, bool byar, double *lo,
		double *hi)
{
	double o = observed, e = expected, a = alpha > 0 && alpha < 1 ? alpha : 0.05;
	double l = NAN, h = NAN, icc = NAN;

	if (e > 0 && o >= 0 && isfinite(o)) {
		icc = 100.0 * o / e;
		if (!byar) {
			/* Garwood (1936): exact interval of a Poisson mean from chi-square
			   quantiles; chi2 with 0 degrees of freedom is 0 */
			l = o > 0 ? 100.0 * cpts_chi2_quantile(a / 2, 2 * o) / (2 * e) : 0.0;
			h = 100.0 * cpts_chi2_quantile(1 - a / 2, 2 * o + 2) / (2 * e);
		} else {
			/* Byar's approximation (Breslow and Day 1987, vol. II, eq. 2.15) */
			double z = cpts_normal_quantile(1 - a / 2);
			double o1 = o + 1;
			if (o > 0) {
				double t = 1 - 1 / (9 * o) - z / (3 * sqrt(o));
				l = 100.0 * o * t * t * t / e;
			} else {
				l = 0.0;
			}
			double u = 1 - 1 / (9 * o1) + z / (3 * sqrt(o1));
			h = 100.0 * o1 * u * u * u / e;
		}
	}
	if (lo)
		*lo = l;
	if (hi)
		*hi = h;
	return icc;
}

int cpts_icc_signif(double lo, double hi)
{
	if (hi < 100.0)
		return -1;
	if (lo > 100.0)
		return 1;
	return 0;
}

double cpts_two_prop_test(double x1, double n1, double x2, double n2, double *z_out)
{
	double p1, p2, p, se, z;

	if (z_out)
		*z_out = NAN;
	if (!(n1 > 0) || !(n2 > 0) || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2)
		return NAN;
	p1 = x1 / n1;
	p2 = x2 / n2;
	p = (x1 + x2) / (n1 + n2);
	se = sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
	if (!(se > 0))
		return p1 == p2 ? 1.0 : NAN;
	z = (p1 - p2) / se;
	if (z_out)
		*z_out = z;
	return 2 * cpts_normal_sf(fabs(z));
}
