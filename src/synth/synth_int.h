/*
 * synth_int.h - internals of the synthetic territory generator, shared by the files
 * of src/synth/ only.
 *
 * Pipeline (synth.c): layout.c places towns, suburban rings, rural scatter and
 * "ghost" points outside the territory shape, builds one GEOS Voronoi diagram over
 * all of them and keeps the cells whose generator lies inside the shape (so every
 * border between two communes is the very same Voronoi edge on both sides, and the
 * outer border is as jagged as a real département's), then adds the islands.
 * names.c gives names, départements and codes; people.c the population and the
 * health tables; partition.c grows CPTS territories from the towns; flows.c draws
 * the gravity-model flows while write.c streams them out.
 *
 * Invariants: communes are indexed 0..n-1 in generation order; codes are unique and
 * valid (cpts_code_valid); age-sex cells of a commune sum to its population; the
 * arrays of struct cpts_synth all have n entries unless stated.
 */
#ifndef CPTS_SYNTH_INT_H
#define CPTS_SYNTH_INT_H

#include <geos_c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpts/synth.h"

/* ---- random numbers (rng.c): xoshiro256** seeded with splitmix64 ---- */

typedef struct synth_rng {
	uint64_t s[4]; /* xoshiro256** state, never all zero */
} synth_rng;

/* Independent streams: one per stage, one per origin commune for the flows. */
enum synth_stream {
	STREAM_LAYOUT = 1, STREAM_NAMES, STREAM_PEOPLE, STREAM_HEALTH, STREAM_SUPPLY,
	STREAM_PARTITION, STREAM_FLOWS, STREAM_ISLANDS, STREAM_TRAVEL,
	STREAM_INDICATORS,
};

void synth_rng_seed(synth_rng *r, uint64_t seed, uint64_t stream, uint64_t sub);
uint64_t synth_rng_next(synth_rng *r);
double synth_rng_u01(synth_rng *r);                 /* [0, 1) */
double synth_rng_range(synth_rng *r, double lo, double hi);
long synth_rng_int(synth_rng *r, long n);           /* [0, n) */
double synth_rng_normal(synth_rng *r);              /* N(0, 1) */
long synth_rng_poisson(synth_rng *r, double lambda);
long synth_rng_binom(synth_rng *r, long n, double p);

/* ---- point grid (grid.c): a bucket grid with O(1) insertion ---- */

typedef struct synth_grid {
	double x0, y0, cell;  /* origin and cell size (metres) */
	long nx, ny;          /* cells per axis */
	int32_t *head;        /* nx * ny, first point of each cell or -1 */
	int32_t *next;        /* per point: next point of the same cell or -1 */
	const double *xy;     /* BORROWED points (x, y pairs) */
	size_t n, cap;        /* points inserted, capacity of next */
} synth_grid;

void synth_grid_init(synth_grid *g, double xmin, double ymin, double xmax, double ymax,
		     double cell);
void synth_grid_release(synth_grid *g);
/* Insert point i (its coordinates are xy[2i], xy[2i+1]; xy may move between calls). */
void synth_grid_insert(synth_grid *g, const double *xy, size_t i);
/* True when some point lies within distance r of (x, y). */
bool synth_grid_any_within(const synth_grid *g, double x, double y, double r);
/* Nearest point to (x, y), or -1 when the grid is empty. */
long synth_grid_nearest(const synth_grid *g, double x, double y);
/* Points in the rings of cells around (x, y) until at least `want` were found (or
 * max_ring rings were scanned); appends their indices to *out (grown, OWNED). */
size_t synth_grid_gather(const synth_grid *g, double x, double y, size_t want, long max_ring,
			 int32_t **out, size_t *cap);

/* ---- the territory ---- */

enum synth_kind { KIND_TOWN = 0, KIND_RING = 1, KIND_RURAL = 2, KIND_ISLAND = 3 };

#define SYNTH_N_AGES 20 /* 00-04 .. 90-94, 95+ */
#define SYNTH_N_PROF 6  /* professions of supply.csv, GPs first */

/* A health count that may be masked when written (1..10 becomes "<11"). */
typedef struct synth_mt {
	long v[10]; /* patients, sans_mt, sans_mt_mt_parti, sans_mt_fictif, ald, ald_sans_mt,
		       c2s, c2s_sans_mt, p70, p70_sans_mt */
} synth_mt;

/* A practice site outside the territory: a well-formed code of a neighbouring
 * (fictional) département, with GP supply, that flows may reach. */
typedef struct synth_outside {
	char code[6];
	double x, y;  /* Lambert-93 metres */
	double gp;    /* GP FTE there */
} synth_outside;

/* One stratum of a generated indicator: sex (0 F, 1 M, 2 both), synthetic bands a0..a1,
 * its label in the file, and its standard weight (dsr). */
typedef struct synth_stratum {
	int sex, a0, a1;
	char age[8];
	double w;
} synth_stratum;

/* A generated indicator of the catalogue (indicators.c): per commune i and stratum t,
 * at i x ns + t, the numerator drawn, the denominator, and its expectation (truth). */
typedef struct synth_ind {
	const char *name;  /* static: the indicateur of the file (catalogue source) */
	char type;         /* 's' share, 'd' dsr, 'i' isr */
	int year;
	size_t ns;
	synth_stratum *st; /* OWNED, ns */
	long *obs;         /* OWNED, n x ns */
	double *den, *mu;  /* OWNED, n x ns */
	long *obs_prev;    /* OWNED or NULL: the year before (same denominators), a trend */
	const char *prof;  /* static or NULL: consumption of this profession (issue 14),
			      written in consumption.csv, not in indicators.csv */
} synth_ind;

struct cpts_synth {
	cpts_synth_opts opts;     /* copy of the options */
	GEOSContextHandle_t geos; /* BORROWED: handle the geometries were made with */
	size_t n;                 /* communes */
	GEOSGeometry **geom;      /* OWNED polygons, Lambert-93 metres */
	double *xy;               /* generator point (x, y) per commune */
	double *area_km2;         /* polygon area */
	unsigned char *kind;      /* enum synth_kind */
	int32_t *town;            /* town of a KIND_TOWN / KIND_RING commune, else -1 */
	char (*code)[6];          /* INSEE-like code */
	char **name;              /* OWNED UTF-8 names */
	int32_t *dep;             /* index into deps */
	size_t n_deps;
	char (*dep_code)[3];      /* per département: 2-character code */
	char (*dep_reg)[3];       /* per département: its region code */
	long *pop;                /* total population */
	long (*cells)[2][SYNTH_N_AGES]; /* population per sex (0 F, 1 M) and age band */
	long (*actes)[2][SYNTH_N_AGES]; /* GP consultations of the residents */
	synth_mt *mt;             /* médecin traitant counts */
	long (*supply)[SYNTH_N_PROF];   /* headcount per profession */
	double (*etp)[SYNTH_N_PROF];    /* full-time equivalents, tenths */
	long (*age60)[SYNTH_N_PROF];    /* professionals aged 60 or more */
	unsigned char *dens_code; /* INSEE grille de densité, 1..7 */
	long *terr;               /* territory index or -1 (white zone) */
	size_t n_terr;
	char **terr_name;         /* OWNED names of the territories */
	unsigned char *terr_statut; /* 0 ACI signée, 1 projet de santé validé, 2 lettre */
	int32_t *adj_start;       /* CSR adjacency (shared Voronoi edges), n + 1 entries */
	int32_t *adj;             /* neighbour indices */
	synth_outside *outside;   /* practice sites outside the territory */
	size_t n_outside;
	synth_ind *ind;           /* OWNED: the catalogue's generated indicators */
	size_t n_ind;
	long (*equip)[3];         /* OWNED: MSP, centres de santé, EHPAD per commune */
	unsigned char *zonage;    /* OWNED: 1 ZIP, 2 ZAC, 3 hors zonage */
	long *pop_prev;           /* OWNED: the earlier population vintage (indicators.c) */
};

/* Age bands and sex labels (people.c). */
extern const char *const synth_age_label[SYNTH_N_AGES];
extern const char *const synth_prof_label[SYNTH_N_PROF];

/* Stages; each returns CPTS_OK or an error set in ctx. */
int synth_layout(cpts_ctx *ctx, cpts_synth *s);
int synth_names(cpts_ctx *ctx, cpts_synth *s);
int synth_people(cpts_ctx *ctx, cpts_synth *s);
int synth_partition(cpts_ctx *ctx, cpts_synth *s);

/* The gravity model (flows.c): practice sites are the communes with GPs and the
 * outside sites; dest values are a commune index (>= 0) or -1 - outside index. */
typedef struct synth_flow_writer {
	const cpts_synth *s;  /* BORROWED */
	synth_grid sites;     /* grid over site_xy */
	double *site_xy;      /* OWNED coordinates of the sites */
	double *site_w;       /* OWNED attractiveness (GP FTE) */
	int32_t *site_ref;    /* OWNED commune index (>= 0) or -1 - outside index */
	size_t n_sites;
	int32_t *cand;        /* scratch: candidate sites */
	size_t cand_cap;
	struct synth_cand *cw; /* scratch: weighted candidates (flows.c) */
	struct synth_rem *rem; /* scratch: rounding remainders (flows.c) */
	size_t cw_cap;         /* entries of cw and rem */
} synth_flow_writer;

void synth_flows_init(synth_flow_writer *fw, const cpts_synth *s);
void synth_flows_release(synth_flow_writer *fw);
/* Flows of origin i (at most flows_per_commune, summing to its consultations);
 * dest/vol have room for cap entries; returns how many were written. */
size_t synth_flows_origin(synth_flow_writer *fw, size_t i, int32_t *dest, long *vol,
			  size_t cap);
/* Travel times from origin i to itself and to the practice communes of the territory
 * within 30 minutes (centroid distance x 1.3 at 60 km/h + 3 min); returns how many. */
size_t synth_travel_origin(synth_flow_writer *fw, size_t i, int32_t *dest, double *minutes,
			   size_t cap);

/* The catalogue's indicators and their truth (indicators.c): generated after the
 * partition; written as indicators.csv, zonage.csv and (--truth) indicators_truth.csv,
 * rows in the commune order ord. */
int synth_indicators(cpts_ctx *ctx, cpts_synth *s);
void synth_indicators_free(cpts_synth *s);
void synth_indicators_put(FILE *f, const cpts_synth *s, const size_t *ord);
void synth_zonage_put(FILE *f, const cpts_synth *s, const size_t *ord);
void synth_truth_put(FILE *f, const cpts_synth *s, const size_t *ord);
/* The consumption rows of commune i by profession (other than GPs), in the columns of
   consumption.csv: code;sexe;classe_age;actes;profession. */
void synth_prof_consumption_put(FILE *f, const cpts_synth *s, size_t i);

/* Helpers shared by stages. */
/* The numbers of the files (put.c), written without printf: millions of cells per
 * file. An integer; a health count (masked "<11" between 1 and 10); a non-negative
 * value with one decimal. */
void synth_put_long(FILE *f, long v);
void synth_put_count(FILE *f, long v);
void synth_put_tenths(FILE *f, double v);
long synth_actes_total(const cpts_synth *s, size_t i);
double synth_dist(double x0, double y0, double x1, double y1);

#endif
