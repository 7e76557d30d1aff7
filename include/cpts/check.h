/*
 * cpts/check.h - territory testing for ARS planners and CPTS founders (issue 7).
 *
 * `cpts check` tests a partition of communes into CPTS territories: coverage and white
 * zones, overlaps, contiguity (pieces on the contiguity graph, bridges allowed),
 * enclaves, ACI tier and distance to the next tier, LI and MSI against the flows,
 * compactness PAC, multipolarised communes (attraction class 5), the coverage per
 * stage of the `statut` column and the comparison with other partitions (flow-based
 * basins, BV2022, EPCI). `cpts move` makes a what-if partition and shows the deltas;
 * `cpts suggest` proposes border moves ranked by gain.
 *
 * Formulas (DOMAIN.md section 5): LI = flows of T's residents to practitioners in T / all
 * flows of T's residents; MSI = flows from T's residents into T / all flows into T;
 * PAC = perimeter / (CPTS_DOMAIN_PAC_K * sqrt(area)), the perimeter of the union being the sum of
 * the communes' perimeters minus twice their shared borders (graph_edges.shared_km).
 * Communes split between territories count with their weight in the flow sums.
 */
#ifndef CPTS_CHECK_H
#define CPTS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cpts/basins.h"
#include "cpts/ctx.h"
#include "cpts/domain.h"
#include "cpts/model.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cpts_session;

/** Problems a territory can have (bits of cpts_check_terr.problems). */
enum cpts_check_problem {
	CPTS_CHECK_OVERLAP = 1 << 0,        /* some of its communes are claimed by another */
	CPTS_CHECK_NONCONTIGUOUS = 1 << 1,  /* more than one piece on the contiguity graph */
	CPTS_CHECK_SMALL = 1 << 2,          /* population under the floor (min_pop) */
	CPTS_CHECK_ENCLAVE = 1 << 3,        /* it surrounds communes that are not its own */
	CPTS_CHECK_MULTIPOLAR = 1 << 4,     /* communes of attraction class 5 */
};

/** Stages of the statut column, cumulative as in the national atlas of CPTS. */
enum cpts_check_stage {
	CPTS_STAGE_UNKNOWN = 0,  /* no statut, or one we do not recognise */
	CPTS_STAGE_LETTRE = 1,   /* lettre d'intention */
	CPTS_STAGE_PROJET = 2,   /* projet de santé validé */
	CPTS_STAGE_ACI = 3,      /* ACI signée */
};

/** Stage of a statut text (accent- and case-insensitive keywords); NULL gives 0. */
int cpts_check_stage_of(const char *statut);

typedef struct cpts_check_opts {
	double min_pop;          /* population floor of the 'too small' finding (10,000) */
	const char *profession;  /* flows of this profession only; NULL = all */
	const char *const *compare; /* partitions to compare with (BORROWED); NULL = auto */
	size_t n_compare;        /* 0 with compare == NULL: basins, BV and EPCI partitions */
	bool no_compare;         /* skip the comparison entirely */
	double stability_threshold; /* border communes with a co-assignment (basins
				       --resample) below this are flagged (0.8) */
	struct cpts_session *session; /* the command's session (cpts/session.h), BORROWED;
					 NULL: the check loads its inputs itself */
} cpts_check_opts;
#define CPTS_CHECK_OPTS_INIT { CPTS_DOMAIN_POP_FLOOR, NULL, NULL, 0, false, 0.8, NULL }

/** A commune of a territory drawn mostly by another territory (attraction class 5). */
typedef struct cpts_check_class5 {
	size_t commune;     /* model index */
	long to;            /* territory receiving most of its residents' flows */
	double to_share;    /* share of its residents' flows going there */
	double own_share;   /* share going to its own territory */
} cpts_check_class5;

/** Findings of one territory. Arrays are OWNED by the report. */
typedef struct cpts_check_terr {
	const char *id;          /* BORROWED from the report's partition */
	const char *statut;      /* BORROWED, may be NULL */
	int stage;               /* enum cpts_check_stage */
	double pop;              /* inhabitants (split communes with their weight) */
	size_t n_communes;       /* members (a split commune counts once) */
	int tier;                /* ACI tier 1..4 */
	double tier_gap;         /* inhabitants to the next tier (negative for tier 4) */
	int toward_tier;         /* the tier tier_gap leads to */
	double li, msi;          /* NAN without flows */
	double flows_in;         /* flows of residents staying in the territory */
	double flows_res;        /* all flows of its residents */
	double flows_into;       /* all flows into it (MSI's denominator) */
	unsigned withheld;       /* CPTS_FLOW_* totals withheld against earlier publications
				    (cpts_check_disclose) */
	double pac;              /* NAN without a graph */
	size_t n_pieces;         /* 0 without a graph */
	size_t *cut;             /* communes outside the main (most populated) piece */
	size_t n_cut;
	size_t *overlap;         /* its communes also claimed by another territory */
	size_t n_overlap;
	size_t *encloses;        /* communes not its own whose neighbours are all its own */
	size_t n_encloses;
	cpts_check_class5 *class5; /* multipolarised communes */
	size_t n_class5;
	unsigned problems;       /* enum cpts_check_problem */
} cpts_check_terr;

/** White zone population of one département. */
typedef struct cpts_check_dep {
	char dep[4];
	double pop;
	size_t n_communes;
} cpts_check_dep;

/** Comparison with another partition. */
typedef struct cpts_check_compare {
	char *name;                  /* OWNED */
	cpts_compare_result r;
	size_t n_disagree;           /* communes whose territory's best basin differs */
} cpts_check_compare;

/** The whole report. */
typedef struct cpts_check_report {
	cpts_model *model;           /* OWNED, or BORROWED from opts->session when borrowed */
	cpts_partition *part;        /* OWNED, or BORROWED likewise */
	bool borrowed;               /* model and part are the session's */
	double min_pop;              /* floor used */
	bool has_flows;              /* the workspace holds flows */
	bool has_graph;              /* the workspace holds a contiguity graph */
	bool has_statut;             /* some territory has a recognised statut */
	size_t n_communes;           /* communes of the workspace */
	size_t n_covered;            /* communes in at least one territory */
	double pop_total, pop_covered;
	size_t *uncovered;           /* OWNED model indices of white-zone communes */
	size_t n_uncovered;
	cpts_check_dep *white_deps;  /* OWNED, by département */
	size_t n_white_deps;
	size_t *overlaps;            /* OWNED communes claimed by two territories or more */
	size_t n_overlaps;
	double li, msi;              /* flow-weighted overall; NAN without flows */
	double stage_pop[4];         /* [k]: population covered at stage >= k (k >= 1) */
	cpts_check_compare *cmp;     /* OWNED */
	size_t n_cmp;
	cpts_check_terr *terr;       /* OWNED, one per partition territory, same order */
	size_t n_terr;
	size_t n_problem_terr;       /* territories with at least one problem */
	int n_resamples;             /* basins --resample reruns behind the stability (0: none) */
	double stability_threshold;
	size_t *unstable;            /* OWNED border communes with co-assignment below it */
	double *unstable_share;      /* OWNED their co-assignment */
	size_t n_unstable;
	unsigned withheld;           /* CPTS_FLOW_* overall sums withheld (cpts_check_disclose) */
	struct cpts_pub_flows *pf;   /* BORROWED flow publications (cpts/publish.h) the
					prints check against and mark; NULL: primary only */
} cpts_check_report;

/** Flow totals of a territory (bits of cpts_check_terr.withheld). */
enum { CPTS_FLOW_IN = 1u, CPTS_FLOW_RES = 2u, CPTS_FLOW_INTO = 4u };

/**
 * Disclose the flow totals of r against earlier publications (issue 19): every total
 * that differs by 1 to T-1 from one published over an overlapping commune set (the
 * workspace's ledger, or marked earlier by this command) is withheld; the prints then
 * withhold the LI and MSI made of it, and mark in pf what they print (record it with
 * cpts_pub_flows_record). pf BORROWED, kept in r->pf; NULL: primary masking only.
 */
void cpts_check_disclose(cpts_ctx *ctx, cpts_check_report *r, struct cpts_pub_flows *pf);
/** The LI (msi false) or MSI of territory t of r (SIZE_MAX: the whole partition) as the
 * prints show it: NAN when masked, withheld or not available; a shown one is marked as
 * published in r->pf (for a report section printed outside src/check). */
double cpts_check_ratio_published(const cpts_check_report *r, size_t t, bool msi);

/**
 * Check a stored partition.
 * @param[out] out new report; OWNED by caller, free with cpts_check_report_free()
 * @param s        workspace; BORROWED (read only)
 * @return CPTS_OK; CPTS_EUSAGE when the partition does not exist; CPTS_EINPUT on bad
 *         data (unknown commune in the partition, no commune); details in ctx->err
 */
int cpts_check_run(cpts_ctx *ctx, cpts_check_report **out, cpts_store *s,
		   const char *partition, const cpts_check_opts *opts);

/** NULL-safe. */
void cpts_check_report_free(cpts_ctx *ctx, cpts_check_report *r);

/** Print the report: English text, or one JSON object with json. CPTS_EIO on write error. */
int cpts_check_print(cpts_ctx *ctx, const cpts_check_report *r, FILE *out, bool json);

/**
 * What-if: copy partition `from` to `as` (kind 'move'), with
 * the given communes moved wholly to territory `to` (a new territory when `to` is not
 * one of `from`; it takes the statut of `to`). One transaction of its own.
 * @param codes    INSEE codes (BORROWED), n_codes of them
 * An existing partition `as` is refused unless replace; then it is replaced wholly:
 * its members, attraction classes, metrics and profiles are dropped.
 * @return CPTS_OK; CPTS_EUSAGE for an unknown partition or commune, as == from, or an
 *         existing `as` without replace
 */
int cpts_check_move(cpts_ctx *ctx, cpts_store *s, const char *from, const char *as,
		    const char *const *codes, size_t n_codes, const char *to, bool replace);

/**
 * Print the before/after of the territories touched by a move (those of `before`
 * holding a moved commune, and `to`): population, communes, tier, LI, MSI, pieces, PAC,
 * and the overall coverage and LI. With before->pf (cpts_check_disclose), the totals
 * printed for `before` are marked first and `after` is disclosed against them.
 */
int cpts_check_print_move(cpts_ctx *ctx, const cpts_check_report *before,
			  cpts_check_report *after, const char *const *codes,
			  size_t n_codes, const char *to, FILE *out, bool json);

/** Kinds of suggested move, in their ranking order. */
enum cpts_suggest_kind {
	CPTS_SUGGEST_CONTIGUITY = 0, /* move a cut-off piece to the neighbour it joins */
	CPTS_SUGGEST_WHITE = 1,      /* give a white-zone commune to a neighbour */
	CPTS_SUGGEST_LI = 2,         /* move a border commune to raise the overall LI */
};

/** One suggested move (communes to one territory). */
typedef struct cpts_suggestion {
	int kind;              /* enum cpts_suggest_kind */
	size_t *communes;      /* OWNED model indices moved together */
	size_t n_communes;
	long from;             /* territory left (-1: white zone) */
	long to;               /* territory receiving them */
	double pop;            /* inhabitants moved */
	double li_before, li_after; /* overall LI (NAN without flows) */
	double in_after, res_after; /* the overall flow sums behind li_after */
	double share_to;       /* share of their residents' flows going to `to` */
} cpts_suggestion;

typedef struct cpts_suggest_opts {
	double min_pop;        /* never take a territory under this floor
				  (CPTS_DOMAIN_POP_FLOOR) */
	size_t limit;          /* at most this many suggestions (20) */
	const char *profession;
	double max_pop;        /* never take the receiving territory above this (0: none) */
} cpts_suggest_opts;
#define CPTS_SUGGEST_OPTS_INIT { CPTS_DOMAIN_POP_FLOOR, 20, NULL, 0 }

/**
 * Propose moves of border communes for an already-run report (its model and partition
 * are used): fix cut-off pieces, fill white zones, raise the overall LI; ranked by LI
 * gain, then coverage gain; never breaks contiguity, takes a territory under the floor
 * or the receiving one above the ceiling. Communes
 * split or claimed twice are never moved.
 * @param[out] out OWNED array (free with cpts_suggestions_free), n_out entries
 */
int cpts_check_suggest(cpts_ctx *ctx, cpts_suggestion **out, size_t *n_out,
		       const cpts_check_report *r, cpts_store *s, const cpts_suggest_opts *opts);
void cpts_suggestions_free(cpts_suggestion *v, size_t n);
/**
 * Print the suggestions: English text, or JSON with --json. Each comes with the `cpts
 * move` command that applies it, on workspace ws (BORROWED, as the user named it) with
 * every argument shell-quoted (cpts_buf_add_shell), ready to paste. CPTS_EIO on write
 * error.
 */
int cpts_check_print_suggestions(cpts_ctx *ctx, const cpts_check_report *r,
				 const cpts_suggestion *v, size_t n, const char *ws, FILE *out,
				 bool json);

/**
 * Per-commune disagreement between a proposal and basins, for the HTML map of
 * disagreements: for each territory T of `a`, its best-matching territory of `b` is the
 * one sharing most population with T (ties: most communes, then the first id); a
 * commune of T disagrees when its territory in `b` is not that best match.
 * @param[out] out m->n values, caller-allocated: 0 agrees, 1 disagrees, 2 not in both
 *                 partitions (or split/claimed twice in one of them)
 * @param m, a, b  BORROWED; a and b loaded on the same model
 * @return number of disagreeing communes (never fails)
 */
size_t cpts_check_disagreement(unsigned char *out, const cpts_model *m,
			       const cpts_partition *a, const cpts_partition *b);

#ifdef __cplusplus
}
#endif
#endif
