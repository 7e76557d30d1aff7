/*
 * export/report_int.h - what the content files of the HTML report share (html_*.c):
 * names of places and territories, the scope of the "ensemble" column, French dates,
 * the "points clés" sentences, the lettre d'intention block (HTML, Markdown, ODT) and
 * the comparative charts. out_html.c keeps the page skeleton and the file writing;
 * these files generate the content, so each idea lives in one file.
 */
#ifndef CPTS_EXPORT_REPORT_INT_H
#define CPTS_EXPORT_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "export/export_int.h"

/* ---- html_names.c: names of places ---- */

/** Name of a département / region from the reference table (data/reference), or the
 * code itself when unknown. BORROWED (static or code). */
const char *ex_dep_label(const char *dep);
const char *ex_reg_label(const char *reg);
/** Article of a département / region ("la", "le", "l'", "les" or ""), NULL when the
 * code is unknown. BORROWED (static). */
const char *ex_dep_article(const char *dep);
const char *ex_reg_article(const char *reg);
/** "la Loire-Atlantique", "les Pays de la Loire", "Paris" into out. */
void ex_place_the(char *out, size_t n, bool is_region, const char *code);

/** What the whole ingested area covers, computed once per export. */
typedef struct ex_scope {
	char label[64];        /* "France métropolitaine", "Pays de la Loire", "zone étudiée" */
	char the[80];          /* with its article: "la France métropolitaine" ... */
	bool is_one_region;    /* exactly one region: the label is that region's name */
	char reg[4];           /* that region */
} ex_scope;
void ex_scope_make(ex_scope *out, const cpts_model *m);

/** Title of territory t: its name in the partition, else its id when the id is made
 * of words, else "Territoire de <pôle>", else "Territoire <id>" ("Territoire étudié"
 * for `cpts profile --communes` without --name). OWNED by caller. */
char *ex_terr_name(const ex_data *d, size_t t);

/** "1er janvier 2026" from an ISO timestamp "2026-01-01T..." into out. */
void ex_date_fr(char *out, size_t n, const char *iso);

/* ---- html_keys.c: "points clés" ---- */

/** One comparison place of a key-point sentence. */
typedef struct ex_kp_place {
	const char *the;      /* "la Loire-Atlantique" (BORROWED); NULL = absent */
	double share;         /* its share in percent (NAN when unknown) */
	double x, n;          /* its counts for the two-proportion test (NAN: no test) */
	double icc, icc_lo, icc_hi; /* its ICC and interval (NAN when unknown) */
} ex_kp_place;

/** What the key points are made from (all optional: NAN / NULL / 0 when absent). */
typedef struct ex_kp_input {
	double alpha;          /* significance level */
	double pop;            /* population of the territory */
	int tier;              /* ACI tier 1..4 (0 unknown) */
	double mt_share;       /* patients without MT, percent */
	double mt_x, mt_n;     /* counts behind it (NAN: no test possible) */
	double mt_p_dep;       /* stored p-value of the gap to the département (NAN: none) */
	double icc, icc_lo, icc_hi; /* icc NAN with an interval: the value depends on
					 masked input cells, the interval is widened to hold it */
	double missing_gps;
	double gp_density;     /* per 10,000 */
	double li;             /* percent of residents' flows staying in the territory */
	const char *first_out; /* first destination outside the territory (BORROWED) */
	double first_out_share; /* its share of the residents' flows, percent */
	ex_kp_place dep, reg;  /* comparison places */
	double dep_gp_density, reg_gp_density;
} ex_kp_input;
#define EX_KP_MAX 6

/**
 * Generate at most EX_KP_MAX French sentences; each is OWNED by the caller (free each).
 * A difference is stated only when its test or interval says it is significant at
 * alpha; otherwise the sentence says the gap is not significant.
 */
size_t ex_keypoints(char **out, const ex_kp_input *in);

#endif

/* ---- html_lettre.c: "Premiers éléments de diagnostic" (HTML, Markdown, ODT) ---- */

typedef enum ex_doc_kind {
	EX_DOC_TITLE,   /* document title */
	EX_DOC_HEAD,    /* section heading */
	EX_DOC_PARA,    /* paragraph */
	EX_DOC_ITEM,    /* bullet of a list */
} ex_doc_kind;

/** A short document as plain UTF-8 paragraphs, rendered to HTML, Markdown and ODT. */
typedef struct ex_doc {
	ex_doc_kind *kind;   /* OWNED */
	char **text;         /* OWNED, each OWNED */
	bool *repeat;        /* OWNED: repeats what the territory page shows elsewhere, so
				the page prints it only on screen (not in Markdown/ODT) */
	size_t n, cap;
} ex_doc;
void ex_doc_add(ex_doc *doc, ex_doc_kind kind, const char *text);
/** ex_doc_add of an item that repeats the page (screen only in the page's HTML). */
void ex_doc_add_repeat(ex_doc *doc, ex_doc_kind kind, const char *text);
void ex_doc_release(ex_doc *doc);
void ex_doc_html(cpts_buf *b, const ex_doc *doc);
void ex_doc_markdown(cpts_buf *b, const ex_doc *doc);
/** Write doc as an OpenDocument text file (out_odt.c), through path.tmp + rename. */
int ex_doc_odt(cpts_ctx *ctx, const char *path, const ex_doc *doc);

/** A destination commune of the residents' flows outside their territory. */
typedef struct ex_dest {
	char name[128];      /* commune name (or "commune CODE (département)") */
	double volume;       /* published: at or above the disclosure threshold */
	double share;        /* of all the residents' flows, percent */
	long dest;           /* model index, -1 outside the workspace */
	char code[8];        /* commune code */
} ex_dest;
/** Up to max destinations of territory t's residents outside t, by volume; the share of
 * flows staying in t into *li_out (NAN without flows). */
size_t ex_top_destinations(const ex_data *d, size_t t, ex_dest *out, size_t max,
			   double *li_out);
/** May cand be named (with its share of total) after out[0..n_out) among territory
 * t's destinations? Not when the interval a reader deduces for the flows of the block
 * not in the flux layer gets narrower than 1 to T-1 (flux_pub.c). */
bool ex_flux_top_accept(const ex_data *d, size_t t, const ex_dest *out, size_t n_out,
			const ex_dest *cand, double total);
/** The destinations of every territory, computed once for the pages, the index and the
 * lettres that each ask for them (d->top while the HTML is written). OWNED by caller. */
#define EX_TOP_MAX 6
struct ex_top {
	ex_dest dest[EX_TOP_MAX];
	size_t n;
	double li;
};
ex_top *ex_top_prepare(const ex_data *d);

/** Fill the key-point input of territory t from the disclosed values. */
void ex_kp_fill(ex_kp_input *in, const ex_data *d, size_t t, char *dep_the, char *reg_the,
		size_t n_the, const ex_dest *first, double li);
/** Build the lettre d'intention block of territory t (name: its title). */
void ex_lettre_make(ex_doc *doc, const ex_data *d, size_t t, const char *name,
		    const ex_scope *sc);

/* ---- html_charts.c: comparative charts ---- */

/** One row of a forest plot: a value with its interval. */
typedef struct ex_forest_row {
	const char *label;   /* BORROWED */
	const char *href;    /* link of the label (BORROWED), or NULL */
	double v, lo, hi;    /* lo/hi NAN when no interval */
	int style;           /* 0 territory, 1 comparison place, 2 reference (whole area) */
} ex_forest_row;
/** A forest plot (one row per place, a vertical line at ref) as inline SVG. */
void ex_forest(cpts_buf *b, const ex_forest_row *rows, size_t n, double ref,
	       const char *caption);

/* ---- html_check.c: the partition page for ARS planners ---- */

/** The findings of `cpts check` on the exported partition as an HTML section
 * (coverage by stage, white zones by département, overlaps, size tiers, LI/MSI and a
 * verdict per territory). A partition the check cannot read gives a note, no error. */
int ex_html_check(cpts_ctx *ctx, cpts_buf *b, const ex_data *d);
