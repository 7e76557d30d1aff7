/*
 * strata.c - the sex x age strata of the ICC (profile_int.h): a stratum k is
 * sex * (NB + 1) + band, sex F, M or T, band one of the 5-year slots of
 * cpts/domain.h or NB for "ALL"; when the consumption table has its own age bands,
 * the bands are its bands (profile/bands.h). Expected counts E_i are sums of
 * population x reference rate over the strata of the rates' scheme.
 */
#include <math.h>
#include <string.h>

#include "profile/profile_int.h"

int cpts_profile__band_index(const char *age)
{
	long lo;
	char buf[8];
	size_t n = 0;

	if (!age)
		return -1;
	if (cpts_strcasecmp(age, "ALL") == 0)
		return NB;
	while (age[n] >= '0' && age[n] <= '9' && n < sizeof(buf) - 1) {
		buf[n] = age[n];
		n++;
	}
	buf[n] = 0;
	if (n == 0 || (age[n] != '-' && age[n] != '+') || !cpts_parse_long(buf, &lo))
		return -1;
	lo /= 5;
	return lo >= NB ? NB - 1 : (int)lo;
}

int cpts_profile__sex_index(const char *sex)
{
	if (!sex)
		return -1;
	if (strcmp(sex, "F") == 0)
		return 0;
	if (strcmp(sex, "M") == 0 || strcmp(sex, "H") == 0)
		return 1;
	if (strcmp(sex, "T") == 0)
		return 2;
	return -1;
}

/* Stratum of an age label for the ICC: the consumption table's band holding it (exact:
   the same band), NB for ALL; the 5-year slot when the consumption has no bands. */
int cpts_profile__icc_band(const prun *r, const char *age, bool exact)
{
	if (!r->general || !age || cpts_strcasecmp(age, "ALL") == 0)
		return cpts_profile__band_index(age);
	return cpts_bands_find(&r->bands, age, exact);
}

enum scheme cpts_profile__scheme_of(int sx, int b)
{
	if (sx < 0 || b < 0)
		return SCH_NONE;
	if (sx < 2 && b < NB)
		return SCH_SEXAGE;
	if (sx == 2 && b < NB)
		return SCH_AGE;
	if (sx == 2 && b == NB)
		return SCH_TOTAL;
	return SCH_NONE;
}

/* Population of commune-like counts in stratum k (sex * (NB + 1) + band). */
double cpts_profile__stratum_pop(const double *popsa, double pop, int k)
{
	int sx = k / (NB + 1), b = k % (NB + 1);

	if (sx < 2 && b < NB)
		return popsa[sx * NB + b];
	if (sx == 2 && b < NB)
		return popsa[b] + popsa[NB + b];
	if (sx == 2 && b == NB)
		return pop;
	double s = 0;
	for (int j = 0; j < NB; j++)
		s += popsa[sx * NB + j];
	return s;
}

/* Expected consultations of a population under rates (crude rate when the commune
   has no sex/age population but the rates are by stratum). */
double cpts_profile__expected_of(const prun *r, const cdata *c, const double *rates, double crude,
			  bool known_only)
{
	double e = 0;

	if (r->scheme == SCH_NONE)
		return NAN;
	if (r->scheme != SCH_TOTAL && !c->has_sexage)
		return c->pop * crude;
	for (int k = 0; k < NK; k++)
		if (cpts_profile__scheme_of(k / (NB + 1), k % (NB + 1)) == r->scheme && !isnan(rates[k]) &&
		    !(known_only && (c->kmask >> k & 1u)))
			e += cpts_profile__stratum_pop(&c->icc_pop[0][0], c->pop, k) * rates[k];
	return e;
}

/* ---- loading ---- */
