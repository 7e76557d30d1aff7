/*
 * check_int.h - shared by the files of src/check: the evaluation environment (the
 * model with the contiguity graph, its shared border lengths, and the flow matrix with
 * its transpose) and the per-territory measures used by check, move and suggest.
 *
 * The graph comes from the graph module; the flows are read from the schema of
 * cpts/store.h by env.c because suggest needs them by column as well (inflows of a
 * commune) to evaluate a move in O(degree).
 */
#ifndef CPTS_CHECK_INT_H
#define CPTS_CHECK_INT_H

#include "cpts/check.h"
#include "cpts/graph.h"
#include "cpts/measures.h"
#include "cpts/publish.h"

/** Model + graph + flows. */
typedef struct chk_env {
	cpts_model *m;          /* OWNED (given to the report by cpts_check_run) */
	cpts_graph *g;          /* OWNED contiguity graph, NULL when none could be had */
	bool has_graph;         /* g holds at least one edge */
	size_t *gstart;         /* BORROWED from g: n + 1 offsets into gadj */
	size_t *gadj;           /* BORROWED neighbours */
	unsigned char *gkind;   /* BORROWED enum cpts_edge_kind per entry */
	double *gshared;        /* BORROWED shared border km per entry (0 for a point) */
	bool has_flows;         /* flows held at least one volume between communes */
	cpts_flows *f;          /* OWNED flow matrix (graph/flows.c) */
	size_t *fstart, *fcol;  /* BORROWED from f, rows: residence -> practice */
	double *fvol;
	size_t *tstart, *trow;  /* OWNED transpose: practice <- residence */
	double *tvol;
	double *row_total;      /* BORROWED from f: all flows of residents (outside included) */
	double *col_total;      /* BORROWED from f: all inflows (from workspace residents) */
	bool borrowed;          /* every array above is the session's (chk_env_from_session) */
} chk_env;

int chk_env_load(cpts_ctx *ctx, chk_env *e, cpts_store *s, const char *profession);
/** The same inputs BORROWED from a session (cpts/session.h): its model, graph (none
 * when the workspace has none), flow matrix and transpose; nothing loaded twice. */
int chk_env_from_session(cpts_ctx *ctx, chk_env *e, struct cpts_session *ss,
			 const char *profession);
void chk_env_release(cpts_ctx *ctx, chk_env *e);

/**
 * Co-assignments of partition's communes from table basin_stability (basins
 * --resample): share[i] (n entries, caller-allocated) or NAN; *k_out the reruns (0 when
 * the table or the partition's rows are missing).
 */
int chk_stability(cpts_ctx *ctx, cpts_store *s, const char *partition, const cpts_model *m,
		  double *share, int *k_out);

/* The measures of a set of communes (flow sums, PAC, pieces) are the basins module's
 * (cpts/measures.h), called with e->m, e->g and e->f. */

/** Comparisons of the report's partition with others (compare.c). */
int chk_compare(cpts_ctx *ctx, cpts_check_report *r, cpts_store *s, const cpts_check_opts *opts);

/* Flow totals as publications (out_check.c, cpts/publish.h). */
#define CHK_FLOWS_DISCLOSE 0x100u
/** Disclose (mark CHK_FLOWS_DISCLOSE) the flow totals of territory t (SIZE_MAX: the whole partition)
 * against r->pf, returning the CPTS_FLOW_* bits withheld; or mark those of `mark`. */
unsigned chk_flows_pass(cpts_ctx *ctx, const cpts_check_report *r, size_t t, unsigned mark);
/** A flow total's disclosed cell: masked from 1 to T-1, withheld with its bit. */
cpts_pvalue chk_flow_cell(const cpts_pub *p, double v, unsigned withheld, unsigned bit);
/** The disclosed overall LI or MSI of r (masked with any territory's). */
cpts_pvalue chk_overall_li(const cpts_check_report *r, const cpts_pub *p, bool msi);
/** Mark in r->pf the totals behind a shown LI / MSI of territory t (SIZE_MAX: overall). */
void chk_mark_li(const cpts_check_report *r, size_t t, const cpts_pvalue *li,
		 const cpts_pvalue *msi);

/** Write b to out and release it; CPTS_EIO on a write error (out_check.c). */
int chk_write(cpts_ctx *ctx, cpts_buf *b, FILE *out);

#endif
