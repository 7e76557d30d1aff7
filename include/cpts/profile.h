/*
 * cpts/profile.h - territory profiles (DOMAIN.md section 6) with disclosure control
 * (section 7), and the catalogue of indicators shared with the exports.
 *
 * Results are stored in table profile_values, one row per (partition, territory,
 * level, level_code, indicator): level 'territoire' (level_code = the territory id),
 * 'departement', 'region' (their codes) and 'ensemble' (level_code 'ALL', the whole
 * ingested area). Values are stored unmasked inside the workspace (it is the
 * statistician's own file); masking happens in cpts_disclose() which every export
 * calls.
 */
#ifndef CPTS_PROFILE_H
#define CPTS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What kind of number an indicator is: it decides masking and formatting. */
typedef enum cpts_ind_kind {
	CPTS_IND_POPULATION, /* INSEE population count: public, never masked */
	CPTS_IND_COUNT,      /* health count (SNDS-derived): masked from 1 to threshold-1 */
	CPTS_IND_RATIO,      /* ratio or share computed from health counts: masked when a
				count it derives from is masked */
	CPTS_IND_VALUE,      /* anything else (area, density, APL, tier): never masked */
} cpts_ind_kind;

typedef struct cpts_indicator {
	const char *key;      /* stable identifier, also the GeoPackage field name */
	const char *label_fr; /* French label for reports and field aliases */
	const char *unit_fr;  /* "hab.", "%", "km²", "" ... */
	cpts_ind_kind kind;
	int decimals;         /* for display */
	const char *num;      /* RATIO: key of the numerator count (NULL otherwise) */
	const char *den;      /* RATIO: key of the denominator count (NULL otherwise) */
} cpts_indicator;

/** The catalogue, terminated by a row with key NULL (src/profile/indicators.c). */
extern const cpts_indicator cpts_indicators[];
/** Look up an indicator by key (NULL when unknown). */
const cpts_indicator *cpts_indicator_find(const char *key);

typedef struct cpts_profile_opts {
	const char *partition;        /* partition to profile (required unless communes) */
	const char *const *territories; /* only these territory ids (NULL = all) */
	size_t n_territories;
	const char *const *communes;  /* a single ad-hoc territory (cpts profile --communes) */
	size_t n_communes;
	const char *reference;        /* "national" (default), "regional" or a CSV path */
	bool byar;                    /* Byar's approximation instead of exact Poisson */
	double gp_activity;           /* A, consultations per FTE GP and year (4973) */
	double apl_detour;            /* road detour factor (1.3) */
	double apl_speed_kmh;         /* 60 */
	double apl_w[3];              /* weights for <10, 10-15, 15-20 min (1, 2/3, 1/3) */
	double alpha;                 /* significance level (0.05) */
} cpts_profile_opts;
#define CPTS_PROFILE_OPTS_INIT \
	{ NULL, NULL, 0, NULL, 0, "national", false, 4973.0, 1.3, 60.0, \
	  { 1.0, 2.0 / 3.0, 1.0 / 3.0 }, 0.05 }

/**
 * Compute and store the profiles of the territories of a partition (one transaction).
 * With opts->communes, the territory is stored as partition "_adhoc", territory
 * "territoire".
 */
int cpts_profile_run(cpts_ctx *ctx, cpts_store *s, const cpts_profile_opts *opts);

/** Disclosure control options (DOMAIN.md section 7). */
typedef struct cpts_disclose_opts {
	double threshold; /* counts from 1 to threshold-1 are masked (default 11) */
} cpts_disclose_opts;
#define CPTS_DISCLOSE_OPTS_INIT { 11.0 }

/**
 * One exported value after disclosure control. Per-commune values are stored with
 * level 'commune' and level_code = the commune code (territory = its territory).
 */
typedef struct cpts_pvalue {
	char *territory;   /* OWNED by the table */
	char *level;       /* 'territoire', 'departement', 'region', 'ensemble', 'commune' */
	char *level_code;
	char *indicator;   /* a catalogue key or pyr_<sex>_<band> */
	double value;      /* NAN when masked or not computable */
	double lo, hi;     /* interval (NAN when none); for a masked count the bounds the
			      reader may know ("< 11": lo 1, hi threshold - 1), else NAN */
	bool masked;       /* masked by disclosure control (primary or secondary) */
} cpts_pvalue;

/** The profile values of one partition, with disclosure applied, sorted by
 * (territory, level, level_code, indicator). */
typedef struct cpts_ptable {
	size_t n;
	cpts_pvalue *v;    /* OWNED */
} cpts_ptable;

/**
 * Load the stored profile values of a partition and apply disclosure control
 * (primary: health counts from 1 to threshold-1; secondary: so that no masked cell
 * can be recovered from a total and its other cells; ratios of masked counts masked).
 * Every export reads profile values only through this call.
 * @param[out] out OWNED by caller, free with cpts_ptable_free()
 */
int cpts_ptable_load(cpts_ctx *ctx, cpts_ptable **out, cpts_store *s, const char *partition,
		     const cpts_disclose_opts *opts);
/** Find a value (NULL when absent). */
const cpts_pvalue *cpts_ptable_get(const cpts_ptable *t, const char *territory,
				   const char *level, const char *level_code,
				   const char *indicator);
void cpts_ptable_free(cpts_ptable *t);

#ifdef __cplusplus
}
#endif
#endif
