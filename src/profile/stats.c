/*
 * stats.c - the statistics of the profiles: ICC by indirect standardisation with its
 * exact Poisson (Garwood) or Byar interval, and the two-proportion z-test of the
 * médecin traitant gap (DOMAIN.md section 6). Quantiles come from GSL through the
 * adapter in src/dep (cpts_chi2_quantile, cpts_normal_quantile); a profile run asks
 * for the same chi-square quantiles many times (GSL inverts the CDF iteratively, tens
 * of microseconds each), so cpts_icc_memo keeps them in a memo keyed by the exact
 * (p, dof): the same values, computed once.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/profile.h"
#include "cpts/util.h"
#include "dep/dep.h"

static uint64_t memo_hash(uint64_t a, uint64_t b)
{
	uint64_t z = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A chi-square quantile through the memo m (NULL: computed every time). */
static double chi2_q(cpts_chi2_memo *m, double p, double dof)
{
	uint64_t kp, kd;
	size_t i;

	if (!m)
		return cpts_chi2_quantile(p, dof);
	if (2 * (m->n + 1) > m->cap) {
		cpts_chi2_memo g = { NULL, NULL, m->cap ? 2 * m->cap : 1024, 0 };
		g.key = cpts_calloc(2 * g.cap, sizeof(uint64_t));
		g.val = cpts_mallocarray(g.cap, sizeof(double));
		for (size_t k = 0; k < m->cap; k++)
			if (m->key[2 * k] || m->key[2 * k + 1]) {
				for (i = (size_t)memo_hash(m->key[2 * k], m->key[2 * k + 1]) &
					 (g.cap - 1);
				     g.key[2 * i] || g.key[2 * i + 1]; i = (i + 1) & (g.cap - 1))
					;
				g.key[2 * i] = m->key[2 * k];
				g.key[2 * i + 1] = m->key[2 * k + 1];
				g.val[i] = m->val[k];
			}
		g.n = m->n;
		cpts_chi2_memo_release(m);
		*m = g;
	}
	/* keys are the bit patterns, plus one so that an all-zero slot is empty */
	memcpy(&kp, &p, 8);
	memcpy(&kd, &dof, 8);
	kp++;
	for (i = (size_t)memo_hash(kp, kd) & (m->cap - 1);
	     m->key[2 * i] || m->key[2 * i + 1]; i = (i + 1) & (m->cap - 1))
		if (m->key[2 * i] == kp && m->key[2 * i + 1] == kd)
			return m->val[i];
	m->key[2 * i] = kp;
	m->key[2 * i + 1] = kd;
	m->n++;
	return m->val[i] = cpts_chi2_quantile(p, dof);
}

void cpts_chi2_memo_release(cpts_chi2_memo *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

double cpts_icc(double observed, double expected, double alpha, bool byar, double *lo,
		double *hi)
{
	return cpts_icc_memo(NULL, observed, expected, alpha, byar, lo, hi);
}

double cpts_icc_memo(cpts_chi2_memo *memo, double observed, double expected, double alpha,
		     bool byar, double *lo, double *hi)
{
	double o = observed, e = expected, a = alpha > 0 && alpha < 1 ? alpha : 0.05;
	double l = NAN, h = NAN, icc = NAN;

	if (e > 0 && o >= 0 && isfinite(o)) {
		icc = 100.0 * o / e;
		if (!byar) {
			/* Garwood (1936): exact interval of a Poisson mean from chi-square
			   quantiles; chi2 with 0 degrees of freedom is 0 */
			l = o > 0 ? 100.0 * chi2_q(memo, a / 2, 2 * o) / (2 * e) : 0.0;
			h = 100.0 * chi2_q(memo, 1 - a / 2, 2 * o + 2) / (2 * e);
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

/* ---- the computation types of the catalogue (docs/profile.md) ---- */

double cpts_wilson(double x, double n, double alpha, double *lo, double *hi)
{
	double z, p, d, c, h;

	*lo = *hi = NAN;
	if (!(n > 0) || x < 0 || x > n)
		return NAN;
	z = cpts_normal_quantile(1 - alpha / 2);
	p = x / n;
	d = 1 + z * z / n;
	c = (p + z * z / (2 * n)) / d;
	h = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d;
	*lo = fmax(0.0, c - h);
	*hi = fmin(1.0, c + h);
	return p;
}

void cpts_poisson_limits(double o, double alpha, bool byar, double *lo, double *hi)
{
	cpts_poisson_limits_memo(NULL, o, alpha, byar, lo, hi);
}

void cpts_poisson_limits_memo(cpts_chi2_memo *memo, double o, double alpha, bool byar,
			      double *lo, double *hi)
{
	if (!(o >= 0)) {
		*lo = *hi = NAN;
		return;
	}
	if (byar) {
		double z = cpts_normal_quantile(1 - alpha / 2), o1 = o + 1;
		*lo = o > 0 ? o * pow(1 - 1 / (9 * o) - z / (3 * sqrt(o)), 3) : 0.0;
		*hi = o1 * pow(1 - 1 / (9 * o1) + z / (3 * sqrt(o1)), 3);
		return;
	}
	*lo = o > 0 ? chi2_q(memo, alpha / 2, 2 * o) / 2 : 0.0;
	*hi = chi2_q(memo, 1 - alpha / 2, 2 * o + 2) / 2;
}

double cpts_dsr(size_t n, const double *o, const double *pop, const double *w, double alpha,
		bool byar, double *lo, double *hi)
{
	return cpts_dsr_memo(NULL, n, o, pop, w, alpha, byar, lo, hi);
}

double cpts_dsr_memo(cpts_chi2_memo *memo, size_t n, const double *o, const double *pop,
		     const double *w, double alpha, bool byar, double *lo, double *hi)
{
	double sw = 0, dsr = 0, var = 0, tot = 0, olo, ohi;

	*lo = *hi = NAN;
	for (size_t i = 0; i < n; i++) {
		if (!(pop[i] > 0))
			continue;
		sw += w[i];
		dsr += w[i] * o[i] / pop[i];
		var += (w[i] / pop[i]) * (w[i] / pop[i]) * o[i];
		tot += o[i];
	}
	if (!(sw > 0))
		return NAN;
	dsr /= sw;
	var /= sw * sw;
	if (tot > 0) {
		cpts_poisson_limits_memo(memo, tot, alpha, byar, &olo, &ohi);
		*lo = dsr + sqrt(var / tot) * (olo - tot);
		*hi = dsr + sqrt(var / tot) * (ohi - tot);
	}
	return dsr;
}

double cpts_isr_dispersed(double o, double e, double phi, double alpha, bool byar, double *lo,
			  double *hi)
{
	double l, h, f = phi > 1 ? phi : 1.0;

	*lo = *hi = NAN;
	if (!(e > 0) || !(o >= 0))
		return NAN;
	/* quasi-Poisson: O / phi is Poisson with mean E / phi, so the interval of the
	   ratio is that of O / phi over E / phi (wider by about sqrt(phi)) */
	cpts_poisson_limits(o / f, alpha, byar, &l, &h);
	*lo = 100 * l / (e / f);
	*hi = 100 * h / (e / f);
	return 100 * o / e;
}

/* The range of the two-sided p-value of cpts_two_prop_test over every (x1, x2) of the
 * box [x1lo, x1hi] x [x2lo, x2hi] (issue 19, point 6: a test over pre-masked cells).
 * Not by corners alone: |z| need not be monotone in each count. |p1 - p2| is linear,
 * so its range over the box is that of its corners (0 when they differ in sign); the
 * pooled variance p (1 - p) (1/n1 + 1/n2) is concave in the pooled p, so its least
 * value is at an end of p's range and its largest at 1/2 when inside. |z| then lies
 * between the least |p1 - p2| over the largest standard error and the largest over
 * the least: an interval holding every value of the box (wider than the exact one
 * only by pairing extremes the box may not reach together). */
void cpts_two_prop_test_box(double x1lo, double x1hi, double n1, double x2lo, double x2hi,
			    double n2, double *p_lo, double *p_hi)
{
	double dlo, dhi, plo, phi, vlo, vhi, k, amin, amax, zmin, zmax;

	*p_lo = *p_hi = NAN;
	if (!(n1 > 0) || !(n2 > 0) || !(x1lo >= 0) || !(x2lo >= 0) || !(x1hi >= x1lo) ||
	    !(x2hi >= x2lo) || x1hi > n1 || x2hi > n2)
		return;
	dlo = x1lo / n1 - x2hi / n2;
	dhi = x1hi / n1 - x2lo / n2;
	amin = dlo <= 0 && dhi >= 0 ? 0 : fmin(fabs(dlo), fabs(dhi));
	amax = fmax(fabs(dlo), fabs(dhi));
	plo = (x1lo + x2lo) / (n1 + n2);
	phi = (x1hi + x2hi) / (n1 + n2);
	k = 1 / n1 + 1 / n2;
	vlo = fmin(plo * (1 - plo), phi * (1 - phi)) * k;
	vhi = (plo <= 0.5 && phi >= 0.5 ? 0.25 : fmax(plo * (1 - plo), phi * (1 - phi))) * k;
	if (!(vhi > 0))
		return; /* every pooled p is 0 or 1: p1 = p2 = 0 or 1 everywhere */
	zmin = amin / sqrt(vhi);
	zmax = vlo > 0 ? amax / sqrt(vlo) : INFINITY;
	*p_lo = isinf(zmax) ? 0.0 : 2 * cpts_normal_sf(zmax);
	*p_hi = 2 * cpts_normal_sf(zmin);
}
