/*
 * profile/generic.h - the catalogue-driven part of the profiles (src/profile/generic.c):
 * indicators of type count, share, crude_rate, dsr, isr and mean computed from the
 * cells of `cpts ingest indicators`. Private to src/profile/.
 *
 * Per commune and per indicator, each stratum (sex x age band of the file) holds three
 * sums: the known numerators, the denominators of the known cells, and the number of
 * masked cells. A unit (territory, commune, département, région, whole area) is the
 * weighted sum of its communes' slots; every value is computed from those sums.
 */
#ifndef CPTS_PROFILE_GENERIC_H
#define CPTS_PROFILE_GENERIC_H

#include "cpts/model.h"
#include "cpts/profile.h"
#include "cpts/store.h"

typedef struct cpts_gen cpts_gen;

/* What a profile hands the catalogue engine beside table indicator_data (issue 14
   point 4): the consumption of professions other than GPs as cells of the sources
   consommation_<profession> (sorted by indicator, code, sex, age, year), and the FTE of
   a profession's supply over the whole area (the activity A of a `missing` row). */
typedef struct cpts_gen_extra {
	const cpts_indrow *rows; /* BORROWED */
	size_t n;
	double (*fte)(void *arg, const char *profession); /* NAN when unknown */
	void *arg;
} cpts_gen_extra;

/**
 * Read the ingested cells of every non-builtin catalogue row (latest year of each),
 * with the reference rates and dispersion of isr rows and the weights of dsr rows.
 * @param extra BORROWED, may be NULL
 * @param[out] out OWNED by caller (cpts_profile__gen_free); NULL when no catalogue row
 *             has data (nothing to compute)
 * @return CPTS_OK; CPTS_EINPUT (age bands that do not fit the standard, named)
 */
int cpts_profile__gen_build(cpts_ctx *ctx, cpts_gen **out, cpts_store *s, const cpts_model *m,
			    bool isr_poisson, const cpts_gen_extra *extra);
/** Order of the cells handed to the engine: indicator, code, sex, age, year. */
int cpts_profile__indrow_cmp(const void *a, const void *b);
void cpts_profile__gen_free(cpts_gen *g);
/** Slots per commune (the length of a sum array). */
size_t cpts_profile__gen_slots(const cpts_gen *g);
/** acc += w x the slots of commune i. */
void cpts_profile__gen_add(const cpts_gen *g, size_t i, double w, double *acc);

typedef int (*cpts_gen_put_fn)(void *arg, const char *key, double v, double lo, double hi,
			       bool masked);
/** Compute every indicator of a unit from its sums and hand each value to put. */
int cpts_profile__gen_emit(const cpts_gen *g, const double *sums, double alpha, bool byar,
			   cpts_gen_put_fn put, void *arg);

/**
 * Comparison flags (-1, 0, 1) of every indicator with an interval, under the key
 * <key><suffix>: unit a (its sums) against the rest of a level (level - part; part NULL:
 * nothing to subtract). isr_ref: an isr row is flagged by its interval against 100 (the
 * level is its reference). Flags over masked cells are handed as masked.
 */
int cpts_profile__gen_compare(const cpts_gen *g, const double *a, const double *level,
			      const double *part, const char *suffix, bool isr_ref, double alpha,
			      bool byar, cpts_gen_put_fn put, void *arg);

/** The 2013 European Standard Population (data/reference/esp2013.csv): weight of the
 * 5-year band starting at 5 k (k = 0..18, the last is 90+), per 100,000. */
extern const double cpts_esp2013[19];

#endif
