/*
 * cpts/profile.h - territory profiles (DOMAIN.md section 6) with disclosure control
 * (section 7), and the catalogue of indicators shared with the exports.
 *
 * Results are stored in table profile_values, one row per (partition, territory,
 * level, level_code, indicator): level 'territoire' (level_code = the territory id),
 * 'departement', 'region' (their codes) and 'ensemble' (level_code 'ALL', the whole
 * ingested area), plus 'commune' (level_code = the commune code, territory = its
 * territory; counts weighted by the membership weight of split communes, so the
 * communes of a territory sum to it). Values are stored unmasked inside the workspace
 * (it is the statistician's own file); masking happens in cpts_ptable_load() which
 * every export calls.
 *
 * Stored conventions (docs/profile.md):
 * - shares and percentages are stored in percent (0-100), gaps in points;
 * - column `masked` = 1 flags a value that depends on masked INPUT cells (consumption
 *   or mt cells ingested as "< 11"): for a count, value = the sum of the known cells,
 *   lo = value + m and hi = value + CPTS_PROFILE_INPUT_MASK_MAX * m where m is the
 *   (weighted) number of masked cells, i.e. the true total is in [lo, hi]; for a ratio
 *   the value is computed from the known cells only and is not publishable;
 * - for icc, lo/hi are its confidence interval; otherwise lo/hi are NULL.
 */
#ifndef CPTS_PROFILE_H
#define CPTS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpts/ctx.h"
#include "cpts/domain.h"
#include "cpts/store.h"

struct cpts_session;

#ifdef __cplusplus
extern "C" {
#endif

/** What kind of number an indicator is: it decides masking and formatting. */
typedef enum cpts_ind_kind {
	CPTS_IND_POPULATION, /* INSEE population count: public, never masked */
	CPTS_IND_COUNT,      /* health count (SNDS-derived): masked from 0 to threshold-1 */
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
	/* catalogue fields (data/indicators/<name>.csv, docs/profile.md); zero in ad-hoc rows */
	const char *block_fr; /* report section ("Médecin traitant") */
	int type;             /* a cpts_ind_type */
	double multiplier;    /* value = multiplier x ratio (100 for %, 10000 ...) */
	const char *standard; /* dsr: standard population ("esp2013", "area") */
	const char *source;   /* generic types: the `indicateur` of the ingested file */
	bool builtin;         /* computed by the code of profile.c, not from the catalogue */
	bool interval;        /* published with <key>_ic_bas / <key>_ic_haut */
	bool companion;       /* <key>_num / <key>_den of an ingested ratio (computed with it) */
	bool flag;            /* a comparison or significance flag in {-1, 0, 1} (companion
				 <key>_cmp_dep ...): published as an integer, masked with the
				 counts named by num and den, no bounds */
} cpts_indicator;

/** Computation types of the catalogue (column `type`). */
typedef enum cpts_ind_type {
	CPTS_TYPE_POPULATION, /* builtin public count */
	CPTS_TYPE_VALUE,      /* builtin value */
	CPTS_TYPE_COUNT,      /* sum of numerators */
	CPTS_TYPE_SHARE,      /* multiplier x sum num / sum den, Wilson score interval */
	CPTS_TYPE_CRUDE_RATE, /* multiplier x sum num / sum den, Garwood exact Poisson */
	CPTS_TYPE_DSR,        /* directly standardised rate, Dobson et al. (1991) */
	CPTS_TYPE_ISR,        /* 100 x O / E, exact Poisson (Byar) or over-dispersed */
	CPTS_TYPE_MEAN,       /* sum num / sum den, normal interval from the commune spread */
	CPTS_TYPE_MISSING,    /* missing practitioners (E - O) / A when O < E, else 0, over
				 the strata of an isr; A = the whole area's consumption of the
				 profession per FTE of its supply (issue 14 point 4) */
	CPTS_TYPE_N
} cpts_ind_type;

/** The catalogue in use, terminated by a row with key NULL: the default rows
 * (data/indicators/<name>.csv, embedded at build time) overridden by --catalogue files. */
const cpts_indicator *cpts_catalogue_rows(void);
#define cpts_indicators (cpts_catalogue_rows())
/**
 * Merge a user catalogue file into the catalogue of the process: a row whose key is
 * already there replaces it, a new key is appended. A bad row fails the whole file.
 * @return CPTS_OK, CPTS_EINPUT (file, line and field named), CPTS_EIO (unreadable)
 */
int cpts_catalogue_load(cpts_ctx *ctx, const char *path);
/** Parse a catalogue held in memory (name in messages) and merge it (tests). */
int cpts_catalogue_load_mem(cpts_ctx *ctx, const char *text, size_t len, const char *name);
/** Back to the default catalogue (tests). */
void cpts_catalogue_reset(void);
/** Name of a computation type ("share"), and the type of a name (-1 when unknown). */
const char *cpts_ind_type_name(int type);
int cpts_ind_type_parse(const char *name);
/** Look up an indicator by key (NULL when unknown). */
const cpts_indicator *cpts_indicator_find(const char *key);
/** The keys of the catalogue, space-separated (--map-indicator help and errors).
 * @return OWNED by caller (free) */
char *cpts_indicator_keys(void);

/** How published indicators are tied to one another, beyond the spatial one (every
 * CPTS_IND_COUNT is additive: a territory's count is the sum of its communes'). */
typedef enum cpts_rel_kind {
	CPTS_REL_PART,  /* total >= sum of parts (subgroups, "dont" breakdowns) */
	CPTS_REL_SHARE, /* total (a ratio) = scale * parts[0] / parts[1] */
} cpts_rel_kind;

/** One declared relation between indicators of the same territory or commune. */
typedef struct cpts_ind_relation {
	cpts_rel_kind kind;
	const char *total;    /* key of the total (PART) or of the ratio (SHARE) */
	const char *parts[4]; /* keys, NULL-terminated; SHARE: numerator, denominator */
	double scale;         /* SHARE: 100 for a percentage */
} cpts_ind_relation;

/** The relations, terminated by a row with total NULL, derived from the catalogue
 * (columns part_of, and numerator/denominator of share and isr rows; see
 * src/profile/indicators.c). The audit (and any check of a publication) reads them from
 * here, so a new indicator declared with its relations is protected with no new code. */
const cpts_ind_relation *cpts_catalogue_relations(void);
#define cpts_ind_relations (cpts_catalogue_relations())

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
	double apl_t[3];              /* upper bounds (minutes) of the three weight bands
					 (10, 15, 20); beyond apl_t[2] the weight is 0 */
	double typo_dense;            /* without a DENS attribute: density (hab./km2) from
					 which a unit is dense urban (1000) */
	double typo_inter;            /* ... intermediate (150), below it rural */
	const char *name;             /* display name of the --communes territory (NULL) */
	struct cpts_session *session; /* the command's session (cpts/session.h), BORROWED;
					 NULL: the stage opens one over the store for itself */
	bool isr_poisson;             /* catalogue isr: pure Poisson interval, no
					 over-dispersion widening */
} cpts_profile_opts;
#define CPTS_PROFILE_OPTS_INIT \
	{ NULL, NULL, 0, NULL, 0, "national", false, 4973.0, 1.3, 60.0, \
	  { 1.0, 2.0 / 3.0, 1.0 / 3.0 }, 0.05, { 10.0, 15.0, 20.0 }, 1000.0, 150.0, NULL, NULL, false }

/** A masked input cell ("< 11") holds at most this many (upper bound of the bounds). */
#define CPTS_PROFILE_INPUT_MASK_MAX 10.0

/**
 * Compute and store the profiles of the territories of a partition (one transaction).
 * With opts->communes, the territory is stored as partition "_adhoc", territory
 * "territoire".
 */
int cpts_profile_run(cpts_ctx *ctx, cpts_store *s, const cpts_profile_opts *opts);

/**
 * The options of a profile as text (recorded with it, see cpts_store_derived_record),
 * and back. cpts_profile_params: OWNED by caller. cpts_profile_params_parse sets the
 * recorded fields of *o (others untouched); params is modified and BORROWED by
 * o->reference. Returns CPTS_OK or CPTS_EINPUT (no error set) on a malformed text.
 */
char *cpts_profile_params(const cpts_profile_opts *o);
int cpts_profile_params_parse(cpts_profile_opts *o, char *params);

/** The disclosure threshold: health counts from 0 to threshold-1 are masked (zeros
 * too: a masked cell known to be at least 1 narrows the sums it is in). */
#define CPTS_MASK_THRESHOLD_DEFAULT CPTS_DOMAIN_MASK_THRESHOLD
/** Largest accepted threshold (above it nothing local would be published). */
#define CPTS_MASK_THRESHOLD_MAX 1000

/**
 * Check a disclosure threshold given by the user: an integer from 2 (1 would mask
 * nothing) to CPTS_MASK_THRESHOLD_MAX; 1.5, inf and nan are refused.
 * @param option the option named in the message ("--mask-threshold")
 * @return CPTS_OK or CPTS_EUSAGE (message names the option and the value)
 */
int cpts_mask_threshold_check(cpts_ctx *ctx, const char *option, double threshold);

/** Disclosure control options (DOMAIN.md section 7). */
typedef struct cpts_disclose_opts {
	double threshold; /* counts from 0 to threshold-1 are masked (default
			     CPTS_DOMAIN_MASK_THRESHOLD) */
} cpts_disclose_opts;
#define CPTS_DISCLOSE_OPTS_INIT { CPTS_MASK_THRESHOLD_DEFAULT }

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
			      reader may know ("< 11": lo 0, hi threshold - 1), else NAN */
	bool masked;       /* masked by disclosure control (primary or secondary) */
	bool withdrawn;    /* a breakdown part of a masked total, not published (value and
			      bounds NAN): shown "secret statistique", without bounds */
} cpts_pvalue;

/** The profile values of one partition, with disclosure applied, sorted by
 * (territory, level, level_code, indicator). */
typedef struct cpts_ptable {
	size_t n;
	cpts_pvalue *v;    /* OWNED */
	/* disclosure counts over the distinct health-count cells (shared levels once) */
	size_t n_counts;      /* health-count cells with a value */
	size_t n_primary;     /* masked as 0 .. threshold-1 (or over masked input) */
	size_t n_secondary;   /* masked to protect others (relations, linear programs) */
	size_t n_withdrawn;   /* breakdown parts of a masked total, not published */
	size_t n_unbounded;   /* masked counts whose "< threshold" bound was withdrawn */
	size_t n_residual;    /* masked counts still narrowed (none expected; warned) */
	size_t n_ledger;      /* of n_secondary: suppressed against an earlier
				 publication of the workspace (its ledger) */
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
/** The class of a p-value as published: 0.001, 0.01, 0.05 (upper bounds of "< 0,001",
 * "< 0,01", "< 0,05") or 1 ("non significatif"); NAN stays NAN. */
double cpts_pvalue_class(double p);
/**
 * Record in the workspace's publication ledger what t publishes (the unmasked health
 * counts of territories and communes, and each territory's communes), so that later
 * publications are protected against it (src/profile/disclosure_ledger.c). A read-only
 * workspace records nothing (warned).
 * @param what the published file or directory (for the messages naming it)
 */
int cpts_ledger_record(cpts_ctx *ctx, cpts_store *s, const char *partition,
		       const cpts_ptable *t, const char *what);
/** An attraction share (0-1) as published: rounded to a whole percent (at 0.1 % it
 * pins the flow total of a commune of about 150 flows); NAN stays NAN. */
double cpts_share_whole_pct(double share);
/** Find a value (NULL when absent). */
const cpts_pvalue *cpts_ptable_get(const cpts_ptable *t, const char *territory,
				   const char *level, const char *level_code,
				   const char *indicator);
void cpts_ptable_free(cpts_ptable *t);

/* ---- statistics used by the profiles (src/profile/stats.c), public for tests ---- */

/**
 * ICC = 100 O / E with its (1 - alpha) interval: exact Poisson (Garwood)
 * lo = 100 chi2inv(alpha/2, 2O) / (2E), hi = 100 chi2inv(1 - alpha/2, 2O + 2) / (2E),
 * or Byar's approximation when byar. Returns the ICC (NAN when E <= 0).
 */
double cpts_icc(double observed, double expected, double alpha, bool byar, double *lo,
		double *hi);
/** Memo of chi-square quantiles for cpts_icc_memo (zero-initialise; release after). */
typedef struct cpts_chi2_memo {
	uint64_t *key;  /* OWNED: 2 per slot (bits of p + 1, bits of dof); 0, 0 = empty */
	double *val;    /* OWNED */
	size_t cap, n;
} cpts_chi2_memo;
/** cpts_icc with the chi-square quantiles kept in memo (NULL: none); same results. */
double cpts_icc_memo(cpts_chi2_memo *memo, double observed, double expected, double alpha,
		     bool byar, double *lo, double *hi);
void cpts_chi2_memo_release(cpts_chi2_memo *memo);
/** Significance flag of an interval around 100: -1 below, 1 above, 0 neither. */
int cpts_icc_signif(double lo, double hi);

/**
 * Two-proportion z-test (pooled variance) of x1/n1 against x2/n2; two-sided p-value
 * (NAN when not computable). *z_out (may be NULL) receives the statistic.
 */
double cpts_two_prop_test(double x1, double n1, double x2, double n2, double *z_out);
/**
 * The range [*p_lo, *p_hi] holding the p-value of cpts_two_prop_test at every point of
 * the box x1 in [x1lo, x1hi], x2 in [x2lo, x2hi] (counts over pre-masked input cells);
 * both NAN when not computable.
 */
void cpts_two_prop_test_box(double x1lo, double x1hi, double n1, double x2lo, double x2hi,
			    double n2, double *p_lo, double *p_hi);

/** Wilson score interval of the proportion x / n (0-1); returns x / n (NAN if n <= 0). */
double cpts_wilson(double x, double n, double alpha, double *lo, double *hi);
/** (1 - alpha) limits of a Poisson count o: exact (Garwood, chi-square) or Byar's. */
void cpts_poisson_limits(double o, double alpha, bool byar, double *lo, double *hi);
/** The same, with the chi-square quantiles memoised in memo (NULL: none). */
void cpts_poisson_limits_memo(cpts_chi2_memo *memo, double o, double alpha, bool byar,
			      double *lo, double *hi);
/**
 * Directly standardised rate sum_i w_i o_i / pop_i / sum_i w_i over n strata (strata
 * with pop_i <= 0 left out) with the Dobson et al. (1991) interval: DSR + sqrt(var /
 * O) (O_lim - O), var = sum (w_i / pop_i)^2 o_i / (sum w)^2, O_lim the Poisson limits
 * of O = sum o_i (exact, or Byar's when byar, as PHEindicatormethods' phe_dsr).
 */
double cpts_dsr(size_t n, const double *o, const double *pop, const double *w, double alpha,
		bool byar, double *lo, double *hi);
/** The same, with the chi-square quantiles memoised in memo (NULL: none). */
double cpts_dsr_memo(cpts_chi2_memo *memo, size_t n, const double *o, const double *pop,
		     const double *w, double alpha, bool byar, double *lo, double *hi);
/** Indirectly standardised ratio 100 O / E with the Poisson interval of O / phi over
 * E / phi (phi = over-dispersion, values <= 1 mean none). NAN when E <= 0. */
double cpts_isr_dispersed(double o, double e, double phi, double alpha, bool byar, double *lo,
			  double *hi);

/** Inputs of the two-step floating catchment (APL, DOMAIN.md section 6). */
typedef struct cpts_apl_input {
	size_t n;              /* communes */
	const double *x, *y;   /* representative points, projected metres */
	const int *srid;       /* CRS of each point: only same-CRS pairs are neighbours
				  (may be NULL: all in one CRS) */
	const double *pop;     /* P_i, age-standardised population */
	const double *supply;  /* S_j, consultations per year */
	/* optional OD matrix in CSR form: for origin i, destinations od_dest[k] with times
	   od_min[k], k in [od_start[i], od_start[i+1]); NULL = centroid distances */
	const size_t *od_start;
	const size_t *od_dest;
	const double *od_min;
	double detour, speed_kmh; /* centroid mode: minutes = km * detour / speed * 60 */
	double t[3], w[3];     /* weight w[b] for times below t[b] (t increasing) */
} cpts_apl_input;

/**
 * APL_i = sum_j w(d_ij) R_j with R_j = S_j / sum_i P_i w(d_ij), into apl_out[n].
 * Centroid mode uses a grid index (cell = the distance of the last band), so it runs
 * in O(n * neighbours). Interruptible (CPTS_ECANCEL).
 */
int cpts_apl_compute(cpts_ctx *ctx, double *apl_out, const cpts_apl_input *in);

/** Output formats of cpts_profile_print. */
typedef enum cpts_profile_format {
	CPTS_PROFILE_TEXT = 0, /* aligned table for a terminal */
	CPTS_PROFILE_JSON = 1, /* one object {"partition", "territories": [...]} */
	CPTS_PROFILE_CSV = 2,  /* one row per territory, `;`-separated, header first */
} cpts_profile_format;

/**
 * Print the key indicators of every territory of a stored profile (after disclosure
 * control with threshold, default CPTS_DOMAIN_MASK_THRESHOLD): id, name, pop,
 * n_communes, tier, mt_share (%),
 * icc with icc_lo/icc_hi, missing_gps, gp_density, apl, li. JSON keys are lower
 * snake_case and shared with the other commands (docs/profile.md); a masked or
 * unavailable value is null in JSON, empty in CSV, "-" (masked: "masked") in text.
 * @param s   workspace; BORROWED (read only)
 * @return CPTS_OK; CPTS_EUSAGE (no profile for the partition); CPTS_EIO (write error)
 */
int cpts_profile_print(cpts_ctx *ctx, cpts_store *s, const char *partition, FILE *out,
		       cpts_profile_format format, double threshold);

#ifdef __cplusplus
}
#endif
#endif
