/*
 * cpts/basins.h - attraction basins (DOMAIN.md section 5): the plurality (refined
 * Dartmouth) and spatially constrained modularity methods, per-basin and per-commune
 * metrics, and the comparison of two partitions.
 */
#ifndef CPTS_BASINS_H
#define CPTS_BASINS_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/domain.h"
#include "cpts/graph.h"
#include "cpts/model.h"
#include "cpts/store.h"

struct cpts_session;

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Basin methods are rows of one table (src/basins/methods.c): the CLI's --method
 * values, its --help list, the default of cpts basins and cpts diagnose and the
 * quick settings of --resample all come from it. A method is known by its name.
 */

/** What a method reads besides the floor, ceiling, target and lock that every method
 * honours (the ceiling split, common to all, reads --resolution and --seed too). */
enum cpts_basins_uses {
	CPTS_BASINS_USES_RESOLUTION = 1 << 0, /* its own clustering reads --resolution */
	CPTS_BASINS_USES_SEED = 1 << 1,       /* its own clustering is randomised by --seed */
	CPTS_BASINS_USES_OPTIMISER = 1 << 2,  /* --threads, --starts, --kicks, --iterations,
						 --lns (lowered for the --resample reruns) */
};

/** A basin method as its callers see it: one row of the method table. */
typedef struct cpts_basins_method_info {
	const char *name;     /* the --method value, stored as the partition's source */
	const char *help;     /* one line in English for --help */
	const char *label_fr; /* French name for the reader of a report */
	unsigned uses;        /* enum cpts_basins_uses */
	bool is_default;      /* the method when none is named (exactly one row) */
} cpts_basins_method_info;

/** Number of rows of the method table. */
size_t cpts_basins_method_count(void);
/** Row k of the method table in the order of the help's list; BORROWED static, NULL
 * when k is past the end. */
const cpts_basins_method_info *cpts_basins_method_at(size_t k);
/** The method called name, the default one when name is NULL; BORROWED static, NULL
 * when no method has this name. */
const cpts_basins_method_info *cpts_basins_method_find(const char *name);
/** One line listing the method names, for help texts and errors ("a, b or c"). */
const char *cpts_basins_method_list(void);

/* CPTS size band used when a target count or mean population is given without an
 * explicit floor or ceiling (DOMAIN.md 1: ACI tiers 1 to 3). */
#define CPTS_BASINS_CPTS_FLOOR CPTS_DOMAIN_POP_FLOOR
#define CPTS_BASINS_CPTS_CEILING CPTS_DOMAIN_POP_CEILING
/* Mean population of a CPTS (DOMAIN.md 1, February 2024): cpts diagnose's default
 * target. */
#define CPTS_BASINS_CPTS_MEAN CPTS_DOMAIN_POP_MEAN

typedef struct cpts_basins_opts {
	const char *method;  /* a method's name (cpts_basins_method_find); NULL: the default */
	double min_pop;      /* population floor (0 = none) */
	double max_pop;      /* population ceiling (0 = none) */
	double resolution;   /* modularity resolution gamma (default 1) */
	const char *lock;    /* partition whose communes stay in their territory, or NULL */
	const char *name;    /* name of the resulting partition (default "basins") */
	const char *profession; /* flows of this profession only, or NULL */
	unsigned long seed;  /* deterministic seed (default 1) */
	/* attraction class thresholds (DOMAIN.md 5): class 2 >= t2, class 3 >= t3 */
	double class_t2, class_t3;
	size_t target_count;     /* number of basins wanted (0 = what the method gives) */
	double target_mean_pop;  /* or: mean population wanted (count = total / this) */
	bool default_band;       /* with a target: floor/ceiling 0 mean the CPTS band */
	int threads;             /* optimiser threads (0 = 2) */
	int n_starts;            /* optimiser starts (0 = 4) */
	long kicks;              /* optimiser annealing proposals per start (-1 = default) */
	int resample;            /* reruns on resampled flows for co-assignment (0 = none) */
	double stability_threshold; /* co-assignment below this is flagged (default 0.8) */
	struct cpts_session *session; /* the command's session (cpts/session.h), BORROWED;
					 NULL: the stage opens one over the store for itself */
	long iterations;         /* optimiser iterated-local-search kicks per start
				    (-1 = default) */
	long lns;                /* optimiser large-neighbourhood rounds per start
				    (-1 = default) */
} cpts_basins_opts;
#define CPTS_BASINS_OPTS_INIT \
	{ NULL, 0, 0, 1.0, NULL, "basins", NULL, 1, 0.5, 0.3, 0, 0, true, \
	  0, 0, -1, 0, 0.8, NULL, -1, -1 }

/** Summary of a run, for the CLI and the closing notes. */
typedef struct cpts_basins_summary {
	size_t n_basins;
	double li_overall;       /* flow-weighted localisation index */
	double msi_overall;
	size_t n_over_ceiling;   /* single communes above the ceiling */
	size_t n_under_floor;    /* basins left under the floor (only when impossible) */
	size_t n_locked_split;   /* locked territories that are not contiguous (kept as
				    given, with a warning) */
	double seconds;
	/* per-basin distribution (basins with flows) and the HSAr floor of LI 0.4 */
	double li_median, li_min, pac_median;
	size_t n_li_low;         /* basins with LI below CPTS_BASINS_LI_FLOOR */
	/* optimiser (method optimise): objective (overall LI of the flows of unlocked
	 * communes as optimised), moves made, starts, seconds of the local search */
	double objective;
	long iterations;
	int n_starts;
	double opt_seconds;
	double min_pop, max_pop; /* floor and ceiling used (after the CPTS band default) */
	size_t target_count;     /* count asked (0 = none) */
	int n_resamples;         /* --resample: reruns made */
	size_t n_unstable;       /* communes with co-assignment below the threshold */
	double resample_seconds;
} cpts_basins_summary;

/* A basin whose LI is below this is flagged (the HSAr toolbox's floor). */
#define CPTS_BASINS_LI_FLOOR 0.4

/**
 * Build basins, store them as a partition (kind 'basins') with their metrics
 * (basin_metrics, basin_communes), in one transaction of its own.
 */
int cpts_basins_run(cpts_ctx *ctx, cpts_store *s, const cpts_basins_opts *opts,
		    cpts_basins_summary *summary_out);

/**
 * Compute and store the metrics of any partition (LI, MSI, PAC, tier, pole, attraction
 * classes), replacing earlier ones, inside the caller's transaction.
 */
int cpts_basins_metrics(cpts_ctx *ctx, cpts_store *s, const char *partition,
			const cpts_basins_opts *opts);

typedef struct cpts_compare_result {
	double ari;            /* adjusted Rand index, population-weighted */
	double nmi;            /* normalised mutual information, population-weighted */
	double share_matching; /* share of population in matching basins */
	size_t n_common;       /* communes in both partitions */
	size_t n_terr_a, n_terr_b;
} cpts_compare_result;

/** Compare two stored partitions. */
int cpts_compare_partitions(cpts_ctx *ctx, cpts_store *s, const char *a, const char *b,
			    cpts_compare_result *out);
/** The same on partitions in memory (both over the model m); no database. */
int cpts_compare_partitions_of(cpts_ctx *ctx, const cpts_model *m, const cpts_partition *pa,
			       const cpts_partition *pb, cpts_compare_result *out);

#ifdef __cplusplus
}
#endif
#endif
