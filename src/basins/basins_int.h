/*
 * basins_int.h - shared by the files of src/basins/ only: the work state of a basin
 * run (model, graph, flows, locks, labels) and the steps each method is made of.
 *
 * Labels: lab[i] is the basin of commune i, an index in [0, n_lab); locked communes
 * carry the basin of their locked territory and are never moved. Both methods end
 * with the same constraint steps (constraints.c): split non-contiguous basins, merge
 * basins under the floor, split basins above the ceiling.
 */
#ifndef CPTS_BASINS_INT_H
#define CPTS_BASINS_INT_H

#include <stdint.h>

#include "cpts/basins.h"

/** Symmetric flow weights A = F + F^T between communes (self loops = 2 F_ii). */
typedef struct cpts_symflows {
	size_t *start;  /* OWNED, n + 1 */
	uint32_t *adj;  /* OWNED neighbour (32-bit: half the bytes of a 10 M-entry row set) */
	double *w;      /* OWNED */
	double *k;      /* OWNED, per commune: sum of its row (its strength) */
	double two_m;   /* sum of all weights */
} cpts_symflows;

/** Work state of one run. */
typedef struct cpts_bwork {
	cpts_ctx *ctx;
	const cpts_model *m;       /* BORROWED */
	const cpts_graph *g;       /* BORROWED */
	const cpts_flows *f;       /* BORROWED */
	const cpts_basins_opts *opts; /* BORROWED */
	cpts_symflows sym;         /* OWNED, built on demand by cpts_basins__need_sym */
	bool *locked;              /* OWNED, per commune */
	long *lab;                 /* OWNED, per commune: basin (>= 0 once assigned) */
	size_t n_lab;              /* basin ids in use are < n_lab */
	size_t n_over_ceiling;     /* single communes above the ceiling */
	size_t n_under_floor;      /* basins left under the floor */
	uint64_t rng;              /* deterministic generator state (seeded) */
	long *lab0;                /* OWNED, labels after the locks (resample reruns) */
	size_t n_lab0;             /* n_lab after the locks */
} cpts_bwork;

/** One method: labels of the unlocked communes, constraints and count included. */
typedef int (*cpts_basins__method_fn)(cpts_bwork *w, size_t target,
				      cpts_basins_summary *sum);

/** Declares (or starts the definition of) a method's run function, fn, so that the
 * method's file and its row in methods.c agree on the signature. */
#define CPTS_BASINS__METHOD(fn) \
	int fn(cpts_bwork *w, size_t target, cpts_basins_summary *sum)

/** A row of the method table (methods.c): what callers see, and how it runs. */
typedef struct cpts_basins__method {
	cpts_basins_method_info info; /* name, help, French label, options, default */
	cpts_basins__method_fn run;   /* the labels, constraints and count included */
} cpts_basins__method;

/** The row called name (the default when NULL); BORROWED static, NULL if unknown. */
const cpts_basins__method *cpts_basins__method_find(const char *name);

/** Drop the co-assignment rows of partition name (a rerun without --resample). */
int cpts_basins__stability_clear(cpts_ctx *ctx, cpts_store *s, const char *name);

/**
 * Rerun method (BORROWED row; quick optimiser settings when it uses the optimiser) on
 * w->opts->resample flow matrices resampled from w->f (multinomial per residence
 * commune) and store, per commune, the share of reruns in which it shares the basin of
 * its pôle in w->lab (table basin_stability, partition name), inside the caller's
 * transaction. Fills the resample fields of sum.
 */
int cpts_basins__resample(cpts_bwork *w, cpts_store *s, const char *name, size_t target,
			  const cpts_basins__method *method, cpts_basins_summary *sum);

void cpts_basins__symflows(cpts_symflows *out, const cpts_flows *f);
void cpts_basins__symflows_release(cpts_symflows *s);

/** Build w->sym if it is not built yet: only modularity, the floor and the ceiling
 * read it, and it costs as much as the plurality method itself on all of France. */
void cpts_basins__need_sym(cpts_bwork *w);

/** Renumber labels 0..K-1 in order of first commune; locked labels included. */
size_t cpts_basins__compact(cpts_bwork *w);

/** Split every unlocked basin into its connected parts (graph restricted to it). */
void cpts_basins__split_disconnected(cpts_bwork *w);

/** Merge unlocked basins under the floor into an adjacent one (ceiling kept); use the
 * modularity gain when by_modularity, else the flows exchanged. */
void cpts_basins__merge_floor(cpts_bwork *w, bool by_modularity);

/** Split unlocked basins above the ceiling along the flow structure. */
int cpts_basins__split_ceiling(cpts_bwork *w);

/** Attach unlocked communes with lab -1 to the adjacent basin they send most flows to
 * (or the smallest adjacent basin); returns how many found no adjacent basin. */
size_t cpts_basins__attach_rest(cpts_bwork *w);

/** Number of basins in use (labels >= 0), locked territories included. */
size_t cpts_basins__count(const cpts_bwork *w);

/**
 * Bring the number of basins to target: split the most populous unlocked basin (with
 * the constrained Louvain at half its population) while there are too few, then merge
 * the least populous unlocked basin into the neighbour it exchanges most flows with
 * (within the ceiling) while there are too many. Warns when target cannot be reached.
 */
int cpts_basins__adjust_count(cpts_bwork *w, size_t target);

/**
 * Greedy agglomeration towards target basins: repeatedly merge the two adjacent
 * unlocked basins that exchange the most flows (the largest gain of overall LI) within
 * the ceiling. Stops at target or when no merge fits.
 */
void cpts_basins__agglomerate(cpts_bwork *w, size_t target);

/**
 * Local search of self-containment (optimise.c) from the given start labellings
 * (n_starts arrays of w->m->n labels, BORROWED): best result into w->lab. Fills the
 * optimiser fields of sum.
 */
int cpts_basins__optimise(cpts_bwork *w, long *const *starts, size_t n_starts,
			  cpts_basins_summary *sum);

/**
 * Test hook: when set, called after every optimiser move with the labels of the start
 * that moved (BORROWED, n communes). Tests set it with --threads 1 only: it is a plain
 * global, not synchronised.
 */
extern void (*cpts_basins__move_hook)(const long *lab, size_t n, void *arg);
extern void *cpts_basins__move_hook_arg;
/** Test knob: the descents after the annealing try ejection chains (default true). */
extern bool cpts_basins__chains;
/* basin rounds also carve floor-sized basins (carve_basin); true unless a caller turns it off */
extern bool cpts_basins__carve;
/* the best start recombined with the next ones (recombine); tests switch it off */
extern bool cpts_basins__recombine;

/** Leiden (igraph) labels of the unlocked communes on the symmetrised flows. */
int cpts_basins__leiden(cpts_bwork *w);

/** Plurality (refined Dartmouth) labels of the unlocked communes. */
int cpts_basins__plurality(cpts_bwork *w);

/**
 * Spatially constrained Louvain on the communes where active[i] (labels of the others
 * untouched): only adjacent groups merge, no group exceeds max_pop, groups are split
 * into connected parts after every level. New basin ids are allocated from w->n_lab.
 */
int cpts_basins__louvain(cpts_bwork *w, const bool *active, double gamma, double max_pop);

/**
 * The first level of the constrained Louvain (local moving at resolution gamma, groups
 * split into connected parts, aggregated), kept so that the next levels can run at
 * several resolutions without redoing the costly commune level: the resolution search
 * of a target count on all of France. *out OWNED by the caller
 * (cpts_basins__louvain_base_free).
 */
typedef struct cpts_louvain_base cpts_louvain_base;
int cpts_basins__louvain_base(cpts_bwork *w, const bool *active, double gamma, double max_pop,
			      cpts_louvain_base **out);
size_t cpts_basins__louvain_base_size(const cpts_louvain_base *b);
/** The next levels from base b at resolution gamma: labels of the base's communes
 * (new ids from w->n_lab) and, in *groups, how many groups they form. */
int cpts_basins__louvain_from(cpts_bwork *w, const cpts_louvain_base *b, double gamma,
			      size_t *groups);
void cpts_basins__louvain_base_free(cpts_louvain_base *b);

/** From this many communes on (5,000; tests lower it), modularity's resolution search
 * runs the commune level once (cpts_basins__louvain_base). A plain global. */
extern size_t cpts_basins__search_base_min_n;

/** xorshift64* step. */
static inline uint64_t cpts_basins__rand(cpts_bwork *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545F4914F6CDD1DULL;
}

/** Metrics of a partition into tables basin_metrics / basin_communes, with a summary. */
int cpts_basins__metrics(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
			 const cpts_graph *g, const cpts_flows *f, const cpts_partition *p,
			 const cpts_basins_opts *opts, cpts_basins_summary *sum);
#endif
