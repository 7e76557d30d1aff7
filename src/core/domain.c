/*
 * domain.c - the tables of the domain (cpts/domain.h): the age bands and the ACI tiers
 * (moved here from store/model.c: a funding rule is not storage).
 */
#include <math.h>

#include "cpts/domain.h"

const char *const cpts_age_bands[CPTS_DOMAIN_N_AGE_BANDS] = {
	"00-04", "05-09", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
	"45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89",
	"90-94", "95+",
};

/* DOMAIN.md section 1, CPTS_DOMAIN_ACI_VINTAGE amounts; mirrored in
 * data/reference/aci_tiers.csv */
static const cpts_aci_tier tiers[] = {
	{ 1, 0, 40000, 50000, 170000, 220000 },
	{ 2, 40000, 80000, 60000, 227000, 287000 },
	{ 3, 80000, CPTS_DOMAIN_POP_CEILING, 75000, 295000, 370000 },
	{ 4, CPTS_DOMAIN_POP_CEILING, INFINITY, 90000, 340000, 450000 },
};

const cpts_aci_tier *cpts_aci_tier_of(double pop)
{
	for (int i = 0; i < 3; i++)
		if (pop < tiers[i].pop_max)
			return &tiers[i];
	return &tiers[3];
}

double cpts_aci_tier_distance(double pop, int *toward_tier)
{
	const cpts_aci_tier *t = cpts_aci_tier_of(pop);

	if (t->tier < 4) {
		if (toward_tier)
			*toward_tier = t->tier + 1;
		return t->pop_max - pop;
	}
	if (toward_tier)
		*toward_tier = 3;
	return t->pop_min - pop;
}
