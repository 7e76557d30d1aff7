/*
 * gsl.c - the GSL adapter. GSL's default error handler calls abort(); the GSL manual
 * recommends switching it off in production code and checking return values, which
 * is what we do. The statistical quantiles used by the profiles live here.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>

#include "dep/dep.h"

void cpts_gsl_init(void)
{
	gsl_set_error_handler_off();
}

/* From this many degrees of freedom to 1e6, Wilson-Hilferty polished by Newton steps
   rather than gsl_cdf_chisq_Pinv: measured on GSL 2.7 (p 0.025 and 0.975, 2,000 dof
   each), 3 to 12 us a call instead of 12 to 34, and equal to scipy's chi2.ppf (GSL's
   own inverse is off by up to 3e-9 relative at 2,300 dof, and NaN for 10 % of the dof
   near 20,000). The Poisson limits of the profiles' large counts are these calls. */
#define CHI2_NEWTON_MIN 1000.0

double cpts_chi2_quantile(double p, double dof)
{
	double x, z, h;

	if (dof <= 0)
		return 0.0; /* chi2 with 0 degrees of freedom is the point mass at 0 */
	if (!(p > 0 && p < 1) || dof < CHI2_NEWTON_MIN || dof > 1e6) {
		x = gsl_cdf_chisq_Pinv(p, dof);
		if (isfinite(x) || !(p > 0 && p < 1))
			return x;
	}
	/* GSL 2.7 returns NaN for large dof (from about 1e5, e.g. the upper Garwood bound
	   of a territory with 200,000 consultations). Wilson-Hilferty is then accurate to
	   about 1e-9 relative and better as dof grows; a few Newton steps on the CDF polish
	   it where GSL's CDF is itself reliable (dof <= 1e6). */
	z = gsl_cdf_ugaussian_Pinv(p);
	h = 2.0 / (9.0 * dof);
	x = dof * pow(1 - h + z * sqrt(h), 3);
	for (int i = 0; i < 20 && dof <= 1e6; i++) {
		double f = p < 0.5 ? gsl_cdf_chisq_P(x, dof) - p : (1 - p) - gsl_cdf_chisq_Q(x, dof);
		double d = gsl_ran_chisq_pdf(x, dof), step;
		if (!(d > 0) || !isfinite(f))
			break;
		step = f / d;
		x -= step;
		if (fabs(step) <= 1e-14 * x)
			break;
	}
	return x;
}

double cpts_normal_quantile(double p)
{
	return gsl_cdf_ugaussian_Pinv(p);
}

double cpts_normal_sf(double z)
{
	return gsl_cdf_ugaussian_Q(z);
}
