/*
 * cpts/domain.h - the numbers of the domain (DOMAIN.md), in one place: the disclosure
 * threshold, the CPTS population floor and band, the PAC constant, the age bands and
 * the ACI funding tiers with their vintage. A module that needs one of them takes it
 * from here rather than writing the number again.
 */
#ifndef CPTS_DOMAIN_H
#define CPTS_DOMAIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A number of this header as a string literal, for help texts that print it:
 * "(default " CPTS_DOMAIN_STR(CPTS_DOMAIN_POP_FLOOR_N) ")" reads "(default 10000)". */
#define CPTS_DOMAIN_STR(x) CPTS_DOMAIN_STR_(x)
#define CPTS_DOMAIN_STR_(x) #x

/** Health counts from 1 to this minus 1 are never published (DOMAIN.md 6: "< 11"). */
#define CPTS_DOMAIN_MASK_THRESHOLD 11
/** Population floor of a CPTS-sized territory (ACI tier 1 in practice, DOMAIN.md 1);
 * _N is the same number as an integer literal (for CPTS_DOMAIN_STR). */
#define CPTS_DOMAIN_POP_FLOOR_N 10000
#define CPTS_DOMAIN_POP_FLOOR ((double)CPTS_DOMAIN_POP_FLOOR_N)
/** Population ceiling of the CPTS band (start of ACI tier 4, DOMAIN.md 1). */
#define CPTS_DOMAIN_POP_CEILING_N 175000
#define CPTS_DOMAIN_POP_CEILING ((double)CPTS_DOMAIN_POP_CEILING_N)
/** Mean population of a CPTS, February 2024 (DOMAIN.md 1). */
#define CPTS_DOMAIN_POP_MEAN 82000.0
/** PAC = perimeter / (CPTS_DOMAIN_PAC_K * sqrt(area)) (DOMAIN.md 5): 1 for a circle
 * (its perimeter is 2 sqrt(pi) ~ 3.54 times the root of its area), more for a territory
 * less compact. */
#define CPTS_DOMAIN_PAC_K 3.54

/** The 20 five-year age bands of the population tables, in order ("00-04" .. "95+"). */
#define CPTS_DOMAIN_N_AGE_BANDS 20
extern const char *const cpts_age_bands[CPTS_DOMAIN_N_AGE_BANDS];

/** The vintage of the ACI amounts below. */
#define CPTS_DOMAIN_ACI_VINTAGE "ACI CPTS 2019 (accord conventionnel interprofessionnel)"

/** ACI tiers (DOMAIN.md 1; table data/reference/aci_tiers.csv mirrors it). */
typedef struct cpts_aci_tier {
	int tier;            /* 1..4 */
	double pop_min;      /* inclusive */
	double pop_max;      /* exclusive; INFINITY for the last */
	double fixed_eur;    /* operating (fixed) funding */
	double missions_eur; /* missions, maximum */
	double total_eur;    /* total maximum per year */
} cpts_aci_tier;
/** The tier of a population (never NULL). */
const cpts_aci_tier *cpts_aci_tier_of(double pop);
/** Inhabitants to the nearest tier boundary (positive: to the next tier up; for tier 4,
 * negative distance down to tier 3). */
double cpts_aci_tier_distance(double pop, int *toward_tier);

#ifdef __cplusplus
}
#endif
#endif
