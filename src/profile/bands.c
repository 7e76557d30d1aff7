/*
 * bands.c - age bands as intervals (profile/bands.h). Before, a band was put in the
 * 5-year slot of its lower bound, so "00-00" and "01-04" fell into one slot and the
 * reference rate of one was applied to the population of both (the epitools
 * indirect-adjustment example gave E = 85,604.08 instead of 85,556.89).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/bands.h"

bool cpts_bands_parse(const char *label, int *lo, int *hi)
{
	char *end;
	long a, b;

	if (!label || label[0] < '0' || label[0] > '9')
		return false;
	a = strtol(label, &end, 10);
	if (*end == '+' && end[1] == 0) {
		*lo = (int)a;
		*hi = 999;
		return a <= 150;
	}
	if (*end != '-')
		return false;
	b = strtol(end + 1, &end, 10);
	if (*end != 0 || b < a || b > 150)
		return false;
	*lo = (int)a;
	*hi = (int)b;
	return true;
}

int cpts_bands_add(cpts_ctx *ctx, cpts_bands *b, const char *label, const char *what)
{
	int lo, hi, at;

	if (!cpts_bands_parse(label, &lo, &hi))
		return cpts_fail(ctx, CPTS_EINPUT, "%s: '%s' is not an age band (a-b or a+)", what,
				 label);
	for (int k = 0; k < b->n; k++) {
		if (b->lo[k] == lo && b->hi[k] == hi)
			return CPTS_OK;
		if (lo <= b->hi[k] && b->lo[k] <= hi)
			return cpts_fail(ctx, CPTS_EINPUT, "%s: the age bands '%s' and '%s' overlap",
					 what, b->label[k], label);
	}
	if (b->n == CPTS_BANDS_MAX)
		return cpts_fail(ctx, CPTS_EINPUT, "%s: more than %d age bands", what,
				 CPTS_BANDS_MAX);
	/* keep them sorted by lower bound */
	for (at = b->n; at > 0 && b->lo[at - 1] > lo; at--) {
		b->lo[at] = b->lo[at - 1];
		b->hi[at] = b->hi[at - 1];
		memcpy(b->label[at], b->label[at - 1], sizeof(b->label[0]));
	}
	b->lo[at] = lo;
	b->hi[at] = hi;
	snprintf(b->label[at], sizeof(b->label[0]), "%s", label);
	b->n++;
	return CPTS_OK;
}

int cpts_bands_find(const cpts_bands *b, const char *label, bool exact)
{
	int lo, hi;

	if (!cpts_bands_parse(label, &lo, &hi))
		return -1;
	for (int k = 0; k < b->n; k++)
		if (exact ? b->lo[k] == lo && b->hi[k] == hi : b->lo[k] <= lo && hi <= b->hi[k])
			return k;
	return -1;
}

int cpts_bands_mismatch(cpts_ctx *ctx, const cpts_bands *b, const char *label,
			const char *what)
{
	char list[CPTS_BANDS_MAX * 13 + 1] = "";
	size_t len = 0;

	for (int k = 0; k < b->n; k++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", k ? " " : "",
					b->label[k]);
	return cpts_fail(ctx, CPTS_EINPUT, "%s: the age band '%s' does not match the age bands of"
			 " the consumption table (%s): it must lie inside one of them%s", what,
			 label, list, strcmp(what, "population") ? " and be equal to it" : "");
}
