/*
 * gsl.c - the GSL adapter. GSL's default error handler calls abort(); the GSL manual
 * recommends switching it off in production code and checking return values, which
 * is what we do. The statistical quantiles used by the profiles live here.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>

#include "dep/dep.h"

void cpts_gsl_init(void)
{
	gsl_set_error_handler_off();
}

double cpts_chi2_quantile(double p, double dof)
{
	if (dof <= 0)
		return 0.0; /* chi2 with 0 degrees of freedom is the point mass at 0 */
	return gsl_cdf_chisq_Pinv(p, dof);
}

double cpts_normal_quantile(double p)
{
	return gsl_cdf_ugaussian_Pinv(p);
}

double cpts_normal_sf(double z)
{
	return gsl_cdf_ugaussian_Q(z);
}
