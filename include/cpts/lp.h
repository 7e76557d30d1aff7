/*
 * cpts/lp.h - a linear system over published and masked cells, split into independent
 * components and solved with GLPK: the smallest and largest value a reader can deduce
 * for every masked cell. Used by the audit (src/audit, reading published files) and by
 * disclosure control (src/profile/disclosure.c, choosing secondary suppressions until
 * no masked count is narrowed).
 *
 * A cell is one number; a relation is lo <= sum(coef * cell) <= hi. Known cells are
 * constants, unknown cells variables with bounds [lo, hi]. Transparent structs: the
 * callers fill cells directly.
 */
#ifndef CPTS_LP_H
#define CPTS_LP_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One cell. */
typedef struct cpts_lp_cell {
	char *name;        /* OWNED: "communes|44109 Nantes|mt_sans_mt" */
	double value;      /* published value (when !is_unknown) */
	double lo, hi;     /* unknown: the bounds a reader knows (hi may be INFINITY) */
	double need_lo;    /* target: the interval the publication must leave open */
	double need_hi;
	bool is_unknown;   /* masked, or not published */
	bool is_target;    /* masked health count: its interval is checked */
	bool is_integer;   /* a count: LP bounds are rounded inward before comparing */
	bool was_masked;   /* masked in at least one publication read */
	double found_lo;   /* target, after cpts_lp_solve: the interval a reader can deduce */
	double found_hi;
	bool checked;      /* target: bounded since the last change of its component */
	bool is_narrow;    /* target: found interval narrower than what must stay open */
	bool is_inconsistent; /* its component has no solution */
	bool zero_ok;      /* target: proved 0 is open enough (the unpublished flows of a
			      block of commune pairs: none is no small count) */
	size_t comp;       /* component id (+1) of the last solve, 0 = none */
} cpts_lp_cell;

/** One term of a relation. */
typedef struct cpts_lp_term {
	size_t cell;
	double coef;
} cpts_lp_term;

/** One relation lo <= sum(terms) <= hi. */
typedef struct cpts_lp_rel {
	size_t off, n;     /* terms[off .. off+n) */
	double lo, hi;     /* -INFINITY / INFINITY for one-sided */
} cpts_lp_rel;

/** The whole system. */
typedef struct cpts_lp {
	cpts_vec cells;     /* cpts_lp_cell */
	cpts_vec rels;      /* cpts_lp_rel */
	cpts_vec terms;     /* cpts_lp_term */
	cpts_strmap *index; /* cell name -> index, OWNED */
	double thr;         /* masking threshold T */
	bool keep_known;    /* keep relations with no unknown term (cpts_lp_rel_end): a
			       suppression made later (cpts_lp_solve's fix) may open them */
	bool plain;         /* every interval through GLPK, none read off directly (tests
			       compare the two) */
	struct cpts_lp_trk *trk; /* OWNED: per-relation bookkeeping (cpts_lp_track), NULL
				    until then */
} cpts_lp;

void cpts_lp_init(cpts_lp *s);
void cpts_lp_release(cpts_lp *s);
/** Free what GLPK keeps for the calling thread (its environment, made by the first
 * solve): a thread other than main that may have solved calls it before it ends, or
 * the environment leaks (GLPK keeps one per thread). */
void cpts_lp_thread_release(void);
/** A new cell (unknown, >= 0, unbounded above); name may be NULL (not findable). */
size_t cpts_lp_cell_add(cpts_lp *s, const char *name);
/** The cell of that name, created (unknown, unbounded >= 0) when new. */
size_t cpts_lp_cell_get(cpts_lp *s, const char *name);
/** Index of an existing cell, or -1. */
long cpts_lp_cell_find(const cpts_lp *s, const char *name);
/** Start a relation lo <= ... <= hi; then add its terms with cpts_lp_rel_term. */
void cpts_lp_rel_begin(cpts_lp *s, double lo, double hi);
void cpts_lp_rel_term(cpts_lp *s, size_t cell, double coef);
/** Drop the last relation when it has no unknown term (nothing to learn from it). */
void cpts_lp_rel_end(cpts_lp *s);

/**
 * Keep, from now on, per relation its known part (the sum of coef * value over its
 * known terms) and its unknown terms (in term order), so that the linear programs and
 * cpts_lp_probe_bounds read a relation in the time of its unknown terms, not of all
 * its terms (a whole-area sum has 34,806). After this call no cell or relation may be
 * added, and a cell changes between known and unknown only through
 * cpts_lp_cell_set_unknown (bounds, targets and flags may still be set directly). The
 * results are those of the system read from scratch (tests/unit/lp).
 */
void cpts_lp_track(cpts_lp *s);
/** Make cell i unknown (or known again, with its value field unchanged), keeping the
 * bookkeeping of cpts_lp_track current when it is on. */
void cpts_lp_cell_set_unknown(cpts_lp *s, size_t i, bool unknown);
/** The known part of relation r and its unknown terms as term indices (BORROWED,
 * valid until the next change): from the bookkeeping when on, else NULL (returns
 * false). For tests and callers scanning relations. */
bool cpts_lp_rel_tracked(const cpts_lp *s, size_t r, double *known, const size_t **unk,
			 size_t *n_unk);

/** Counts of one solve. */
typedef struct cpts_lp_stats {
	size_t n_components;  /* components holding a target, solved this call */
	size_t max_component; /* unknowns in the largest */
	size_t n_lp;          /* linear programs solved */
	size_t n_narrow;      /* targets left narrowed */
	size_t n_inconsistent;/* components with no solution (cells flagged) */
	size_t n_fixed;       /* calls of fix that changed the system */
} cpts_lp_stats;

/** The relations of every cell: rels[off[i] .. off[i+1]) for cell i; both arrays
 * OWNED by the caller (free). */
void cpts_lp_index(const cpts_lp *s, size_t **off, size_t **rels);

/**
 * Called on a narrowed target; may make known cells unknown or widen bounds, and
 * returns true when it changed something (the component is then solved again on the
 * next call of cpts_lp_solve).
 */
typedef bool (*cpts_lp_fix_fn)(void *arg, cpts_lp *s, size_t target);

/**
 * Bound every target whose `checked` flag is false (and every other target of its
 * component): fills found_lo, found_hi, is_narrow, comp; sets checked. With fix, every
 * narrowed target is handed to it (over the problem as built at the start of the call)
 * and, when it changes the system, the component's targets are marked unchecked for
 * the next call; call again while out->n_fixed > 0.
 * @return CPTS_OK, CPTS_EDEP when GLPK fails, CPTS_ECANCEL when interrupted
 */
int cpts_lp_solve(cpts_ctx *ctx, cpts_lp *s, cpts_lp_stats *out, cpts_lp_fix_fn fix,
		  void *arg);

/** Scratch space for cpts_lp_probe_bounds (made for one system; its cells and
 * relations may change state but not number). */
typedef struct cpts_lp_probe {
	size_t *col_of;         /* OWNED */
	unsigned *cell_stamp;   /* OWNED */
	unsigned *rel_stamp;    /* OWNED */
	unsigned stamp;
	size_t n_cells;
} cpts_lp_probe;
void cpts_lp_probe_init(cpts_lp_probe *p, const cpts_lp *s);
void cpts_lp_probe_release(cpts_lp_probe *p);
/**
 * The interval of unknown cell x over the relations that join it to other unknowns
 * (off, rels: cpts_lp_index of s), as the system stands now (raw LP bounds, not
 * rounded). Used to try a secondary suppression before choosing it.
 * @return 0 with *lo, *hi set; 1 when x is known, its component holds more than
 *         max_vars unknowns, or has no solution; CPTS_EDEP when GLPK fails
 */
int cpts_lp_probe_bounds(cpts_ctx *ctx, cpts_lp_probe *p, const cpts_lp *s, const size_t *off,
			 const size_t *rels, size_t x, size_t max_vars, double *lo, double *hi);

#ifdef __cplusplus
}
#endif

#endif
