/*
 * profile/profile_int.h - the state of one `cpts profile` run, shared by the files that
 * compute it (private to src/profile/):
 *
 *   strata.c     sex x age strata of the ICC and the expected counts over them
 *   load.c       per-commune inputs: population, médecin traitant, supply of every
 *                profession, DENS, the APL of every profession
 *   rates.c      consumption and the reference rates of the ICC (table, file, computed,
 *                regional), E_i and the standardised population of every commune
 *   aggregate.c  sums of a unit (territory, commune, département, région, whole area)
 *   emit.c       the indicators of a unit from its sums, buffered as rows
 *   profile.c    the run: options, territories, writing through store/profile_io.c
 *
 * Why split: one 1,800-line file held six loaders, a CSV parser, the aggregation, a
 * 190-line emit and the batching (issue 13). None of these files speaks SQL: the inputs
 * arrive as cells from cpts/store_profile.h and the values leave through its writer.
 */
#ifndef CPTS_PROFILE_INT_H
#define CPTS_PROFILE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cpts/domain.h"
#include "cpts/model.h"
#include "cpts/profile.h"
#include "cpts/store.h"
#include "cpts/store_profile.h"
#include "cpts/util.h"
#include "profile/bands.h"
#include "profile/generic.h"

#define NB CPTS_DOMAIN_N_AGE_BANDS /* age bands 00-04 .. 90-94, 95+ */
#define NK (3 * (NB + 1))          /* strata: sex F, M, T x band (NB + 'ALL') */
#define N_MT 10                    /* columns of the mt table */
#define NPROF 5                    /* professions other than GPs, see load.c */

enum scheme { SCH_NONE, SCH_SEXAGE, SCH_AGE, SCH_TOTAL };

/* A profession beside GPs: the key prefix of its indicators and its names. */
typedef struct cpts_profession {
	const char *prefix;
	const char *names; /* ",name,name," normalised */
} cpts_profession;
extern const cpts_profession cpts_profile__professions[NPROF];

/* Per-commune inputs. */
typedef struct cdata {
	double popsa[2][NB];   /* population by sex (F, M) and band */
	double pop_all;        /* sex 'T' age 'ALL' row */
	double pop;            /* total: sum of popsa when given, else pop_all */
	bool has_sexage;
	bool has_obs;          /* consumption rows exist */
	bool skip_total;       /* a commune whose arrondissements are also loaded */
	double obs, obs_nm;    /* consultations of known cells, number of masked cells */
	double expected;       /* E_i with the reference rates of the ICC */
	double expected_known; /* E_i over the strata whose consumption is known (not
				  masked): the same strata as the observed count */
	double icc_pop[2][NB]; /* population by sex and ICC stratum (the consumption
				  table's age bands, profile/bands.h) */
	uint64_t kmask;        /* bit k: consumption stratum k is masked */
	double pstd;           /* age-standardised population (APL) */
	double mt[N_MT], mt_nm[N_MT];
	unsigned mt_has;       /* bit c: column c given (known or masked) */
	double gp_n, gp_etp, gp_60, gp_60den;
	bool gp_has_etp;
	double pr_n[NPROF], pr_etp[NPROF], pr_60[NPROF], pr_60den[NPROF];
	unsigned pr_has_etp;    /* bit p: an FTE was given for profession p */
	double pr_apl[NPROF];   /* APL of profession p (FTE per 100,000), NAN if none */
	int dens;              /* grille de densité class 1..3, 0 unknown */
	double apl;            /* NAN when not computed */
} cdata;

/* Aggregated counts of a unit. */
typedef struct agg {
	double n_communes, area, pop, pop_sexage, popsa[2][NB], dens_pop[4];
	double mt[N_MT], mt_nm[N_MT];
	unsigned mt_has;
	double obs, obs_nm, expected, expected_known;
	bool has_obs, has_sexage, has_etp;
	double gp_n, gp_etp, gp_60, gp_60den;
	double pr_n[NPROF], pr_etp[NPROF], pr_60[NPROF], pr_60den[NPROF];
	unsigned pr_has_etp;
	double apl_num, apl_den, pr_apl_num[NPROF];
	const double *gsum;    /* BORROWED: sums of the catalogue indicators (generic.c) */
} agg;

/* One value waiting to be written (rows of a territory are sorted first, so that they
   go into the WITHOUT ROWID table in key order: much cheaper B-tree inserts). */
typedef cpts_store_pvrow prow;

/* Cached rows of a shared level (see cpts_profile__emit_level). */
typedef struct lcache {
	cpts_vec rows; /* prow */
	bool done;
} lcache;

/* Everything a run needs. */
typedef struct prun {
	const cpts_profile_opts *o;
	cpts_model *m;               /* BORROWED from the session */
	cdata *cd;                   /* OWNED: one per commune of m */
	bool has_mt, has_supply, has_cons, has_dens, has_apl;
	unsigned has_prof;           /* bit p: the supply table has profession p */
	bool pop_odd_bands;          /* a population band is not a 5-year band: no age
					groups (they would mix bands) */
	enum scheme scheme;          /* strata of the reference rates */
	cpts_bands bands;            /* age bands of the ICC strata (consumption table) */
	bool general;                /* bands given: strata are bands, not 5-year slots */
	double rates[NK];            /* reference rates (national / file / table) */
	double *reg_rates;           /* OWNED; regional mode: n_reg x NK */
	cpts_strmap *reg_index;      /* OWNED; region code -> row of reg_rates / agg */
	size_t n_reg;
	const char *ref_source;      /* what the rates are, for the meta record */
	cpts_strmap *dep_index;      /* OWNED; département code -> agg */
	agg *dep_agg, *reg_agg, all; /* OWNED arrays */
	size_t n_dep;
	char (*dep_code)[4], (*reg_code)[4]; /* OWNED */
	bool od;                     /* APL from the traveltime table */
	cpts_vec rows;               /* prow: values of the current territory */
	lcache *dep_cache, *reg_cache, all_cache; /* rows of the shared levels */
	const char *partition;
	size_t n_rows;
	double cpu_write; /* CPU seconds of the calling thread writing rows (debug) */
	cpts_chi2_memo chi2;         /* quantiles of the ICC intervals */
	cpts_gen *gen;               /* OWNED catalogue indicators with data (NULL: none) */
	double *g_dep, *g_reg, *g_all, *g_terr, *g_one; /* their sums per unit (OWNED) */
	double *g_tdep, *g_treg;     /* OWNED: the territory's part in its main département,
					région (comparisons) */
	bool is_france;              /* the whole area holds every metropolitan région: its
					values are France's (the _cmp_fr flags) */
	cpts_vec prof_cells;         /* cpts_indrow: consumption of the professions other
					than GPs, as cells of consommation_<profession>
					(rates.c), for the catalogue engine */
	cpts_strmap *fte_index;      /* OWNED; canonical profession -> slot of fte */
	double *fte;                 /* OWNED: FTE (headcount where no FTE) of each
					profession of the supply over the whole area */
	size_t n_fte;
} prun;

/* strata.c */
int cpts_profile__band_index(const char *age);
int cpts_profile__sex_index(const char *sex);
int cpts_profile__icc_band(const prun *r, const char *age, bool exact);
enum scheme cpts_profile__scheme_of(int sx, int b);
double cpts_profile__stratum_pop(const double *popsa, double pop, int k);
double cpts_profile__expected_of(const prun *r, const cdata *c, const double *rates,
				 double crude, bool known_only);

/* load.c */
int cpts_profile__setup_bands(cpts_ctx *ctx, prun *r, cpts_store *s);
int cpts_profile__load_population(cpts_ctx *ctx, prun *r, cpts_store *s);
int cpts_profile__load_mt(cpts_ctx *ctx, prun *r, cpts_store *s);
int cpts_profile__load_supply(cpts_ctx *ctx, prun *r, cpts_store *s);
/* The canonical name of a profession label into out (cap bytes): "" for GPs, the key
   prefix of a profession of cpts_profile__professions (inf, mk, sf, cd, ph), else the
   normalised label (lower case, é -> e, space and - -> _): the <profession> of the
   sources consommation_<profession> and of the supply's FTE (one home: load.c). */
const char *cpts_profile__prof_canon(const char *label, char *out, size_t cap);
/* FTE of a canonical profession over the whole area (cpts_gen_extra.fte; NAN: none). */
double cpts_profile__prof_fte(void *r, const char *profession);
int cpts_profile__load_dens(cpts_ctx *ctx, prun *r, cpts_store *s);
int cpts_profile__compute_apl(cpts_ctx *ctx, prun *r, cpts_store *s);

/* rates.c */
int cpts_profile__setup_rates(cpts_ctx *ctx, prun *r, cpts_store *s);

/* aggregate.c */
long cpts_profile__reg_slot(const prun *r, const cpts_commune *c);
long cpts_profile__dep_slot(const prun *r, const char *dep);
void cpts_profile__agg_add(agg *a, const cpts_commune *cm, const cdata *c, double w);
void cpts_profile__build_levels(prun *r);

/* emit.c */
/* Territory-level extras: the médecin traitant gap to the main département. */
typedef struct gapref {
	const agg *dep;      /* the main département */
	const agg *t_in_dep; /* the part of the territory inside it */
} gapref;
int cpts_profile__emit(prun *r, const char *level, const char *code, const agg *a,
		       const gapref *gap, bool is_terr, bool pyramid);
int cpts_profile__emit_level(prun *r, const char *level, const char *code, const agg *a,
			     lcache *c);
void cpts_profile__lcache_release(lcache *c, size_t n);
/* The comparison flags of a territory (generic.c): against the rest of its main
   département (dep - tdep), région (reg - treg) and, when the area is France, the rest
   of France. NULL levels are skipped. */
int cpts_profile__emit_compare(prun *r, const char *terr, const double *dep,
			       const double *tdep, const double *reg, const double *treg);

#endif
