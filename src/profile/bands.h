/*
 * profile/bands.h - age bands as intervals (src/profile/bands.c), private to
 * src/profile/. The strata of the ICC are the age bands of the consumption table,
 * whatever they are ("00-00" and "01-04", "15-17" and "18-19", "85+"); population bands
 * must each lie inside one of them (several may share one) and reference bands must be
 * exactly them, else the profile stops with an error naming the bands: a band that
 * straddles two strata cannot be split without inventing numbers.
 */
#ifndef CPTS_PROFILE_BANDS_H
#define CPTS_PROFILE_BANDS_H

#include <stdbool.h>

#include "cpts/ctx.h"

#define CPTS_BANDS_MAX 20 /* as many strata as 5-year bands 00-04 ... 95+ */

typedef struct cpts_bands {
	int n;
	int lo[CPTS_BANDS_MAX], hi[CPTS_BANDS_MAX]; /* years, hi 999 for an open band */
	char label[CPTS_BANDS_MAX][12];
} cpts_bands;

/** Parse "a-b" or "a+" into [lo, hi] (hi 999 when open); false otherwise ("ALL"). */
bool cpts_bands_parse(const char *label, int *lo, int *hi);
/** Add a stratum band (duplicates ignored). CPTS_EINPUT when unparsable, too many or
 * overlapping another (both named, with what). */
int cpts_bands_add(cpts_ctx *ctx, cpts_bands *b, const char *label, const char *what);
/** Index of the band that holds label (exact: the same interval), -1 when none. */
int cpts_bands_find(const cpts_bands *b, const char *label, bool exact);
/** A band of another table that is not inside one stratum: the error naming both. */
int cpts_bands_mismatch(cpts_ctx *ctx, const cpts_bands *b, const char *label,
			const char *what);

#endif
