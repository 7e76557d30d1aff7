/*
 * test_profile.c - cpts_profile_run and cpts_ptable_load on a small hand-made
 * workspace (7 communes in départements 44, 49 and 35, built with SQL inserts):
 *   - totals add up: for every count, the territories sum to the whole area and the
 *     communes of a territory sum to it, for a plain partition and for one with a
 *     split commune (weights 0.4 / 0.6);
 *   - indicators equal independent computations (SQL over the raw tables, values
 *     worked out by hand in the comments, SciPy for the p-value);
 *   - masked inputs are carried as bounds, never as zeros;
 *   - disclosure control: a commune with a small count cannot be recovered from the
 *     territory total and the other communes, nor from the breakdowns.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/ctx.h"
#include "cpts/profile.h"
#include "cpts/store.h"
#include "cpts/store_profile.h"
#include "cpts/util.h"
#include "tap.h"

static const char *const codes[] = { "44001", "44002", "44003", "44004", "49001", "49002",
				     "35001" };
#define NC 7

static int exec(cpts_ctx *ctx, cpts_store *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int exec(cpts_ctx *ctx, cpts_store *s, const char *fmt, ...)
{
	cpts_buf b = CPTS_BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	cpts_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	rc = cpts_store_exec(ctx, s, b.data);
	cpts_buf_release(&b);
	return rc;
}

/* First column of the first row as a double (NAN when none / NULL). */
static double q(cpts_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static double q(cpts_store *s, const char *fmt, ...)
{
	cpts_buf b = CPTS_BUF_INIT;
	sqlite3_stmt *st = NULL;
	double v = NAN;
	va_list ap;

	va_start(ap, fmt);
	cpts_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(cpts_store_db(s), b.data, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_double(st, 0);
	else if (!st)
		diag("query failed: %s: %s", b.data, sqlite3_errmsg(cpts_store_db(s)));
	sqlite3_finalize(st);
	cpts_buf_release(&b);
	return v;
}

static const char *const bands[20] = {
	"00-04", "05-09", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
	"45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89",
	"90-94", "95+",
};

/* The workspace. Population and consumption follow simple formulas; mt, supply and
   the partitions are listed literally. */
static int build(cpts_ctx *ctx, cpts_store *s)
{
	static const char *const mt_rows[NC] = {
		/* patients, sans_mt, parti, fictif, ald, ald_sans, c2s, c2s_sans, p70,
		   p70_sans, mask */
		"1000, 5, 3, 1, 200, 20, 80, 15, 300, 30, 0",
		"2000, 140, 60, 20, 400, 30, 100, 25, 500, 40, 0",
		"3000, 300, 120, 40, 600, 50, 150, 30, 700, 60, 0",
		"1500, NULL, NULL, NULL, 300, 25, 90, 20, 400, 35, 14", /* bits 1,2,3 masked */
		"2500, 200, 80, 30, 500, 40, 120, 25, 600, 50, 0",
		"1800, 150, 60, 25, 350, 30, 100, 20, 450, 40, 0",
		"1200, 100, 40, 12, 250, 20, 70, 14, 300, 25, 0",
	};
	int rc;

	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	for (int k = 0; k < NC; k++) {
		double x0 = 350000 + (k % 4) * 2000, y0 = 6700000 + (k / 4) * 2000;
		char dep[3] = { codes[k][0], codes[k][1], 0 };
		if ((rc = exec(ctx, s, "INSERT INTO communes(code, name, dep, reg, parent, srid,"
			       " area_km2, perimeter_km, px, py, lon, lat, geom) VALUES('%s',"
			       " 'Commune %d', '%s', '%s', '', 2154, 4, 8, %g, %g, -1.5, 47.2,"
			       " GeomFromText('MULTIPOLYGON(((%g %g, %g %g, %g %g, %g %g, %g %g)))',"
			       " 2154))", codes[k], k, dep, strcmp(dep, "35") == 0 ? "53" : "52",
			       x0 + 1000, y0 + 1000, x0, y0, x0 + 2000, y0, x0 + 2000, y0 + 2000,
			       x0, y0 + 2000, x0, y0)) < 0)
			return rc;
		for (int sx = 0; sx < 2; sx++)
			for (int b = 0; b < 20; b++) {
				double pop = 20 + (k * 7 + sx * 3 + b * 5) % 40;
				/* consultations: about 4 per inhabitant, more with age */
				double actes = floor(pop * (2.0 + 0.2 * b) * (1.0 + 0.1 * k));
				if ((rc = exec(ctx, s, "INSERT INTO population VALUES('%s','%s','%s',%g)",
					       codes[k], sx ? "M" : "F", bands[b], pop)) < 0)
					return rc;
				if (k == 6 && sx == 0 && b == 0)
					rc = exec(ctx, s, "INSERT INTO consumption(code, sex, age, actes, masked) VALUES('%s','F','00-04',"
						  "NULL,1)", codes[k]);
				else
					rc = exec(ctx, s, "INSERT INTO consumption(code, sex, age, actes, masked) VALUES('%s','%s','%s',"
						  "%g,0)", codes[k], sx ? "M" : "F", bands[b], actes);
				if (rc < 0)
					return rc;
			}
		if ((rc = exec(ctx, s, "INSERT INTO mt VALUES('%s', %s)", codes[k], mt_rows[k])) < 0)
			return rc;
	}
	if ((rc = cpts_store_exec(ctx, s,
		"INSERT INTO supply VALUES('44001','Médecin généraliste',3,2.5,1);"
		"INSERT INTO supply VALUES('44002','MG',5,4.2,2);"
		"INSERT INTO supply VALUES('44003','GENERALISTE',2,2,0);"
		"INSERT INTO supply VALUES('49001','medecin_generaliste',4,NULL,1);"
		"INSERT INTO supply VALUES('35001','Infirmier',10,10,3);"
		"INSERT INTO attributes VALUES('44001','DENS','1');"
		"INSERT INTO attributes VALUES('44002','DENS','4');"
		"INSERT INTO partitions VALUES('p1','input','test',NULL,NULL);"
		"INSERT INTO partition_members VALUES('p1','44001','T1',NULL,1);"
		"INSERT INTO partition_members VALUES('p1','44002','T1',NULL,1);"
		"INSERT INTO partition_members VALUES('p1','44003','T1',NULL,1);"
		"INSERT INTO partition_members VALUES('p1','44004','T2',NULL,1);"
		"INSERT INTO partition_members VALUES('p1','49001','T2',NULL,1);"
		"INSERT INTO partition_members VALUES('p1','49002','T3',NULL,1);"
		"INSERT INTO partition_members VALUES('p1','35001','T3',NULL,1);"
		"INSERT INTO partitions VALUES('p2','input','test',NULL,NULL);"
		"INSERT INTO partition_members VALUES('p2','44001','U1',NULL,1);"
		"INSERT INTO partition_members VALUES('p2','44002','U1',NULL,1);"
		"INSERT INTO partition_members VALUES('p2','44003','U1',NULL,0.4);"
		"INSERT INTO partition_members VALUES('p2','44003','U2',NULL,0.6);"
		"INSERT INTO partition_members VALUES('p2','44004','U2',NULL,1);"
		"INSERT INTO partition_members VALUES('p2','49001','U2',NULL,1);"
		"INSERT INTO partition_members VALUES('p2','49002','U2',NULL,1);"
		"INSERT INTO partition_members VALUES('p2','35001','U2',NULL,1);")) < 0)
		return rc;
	return cpts_store_commit(ctx, s);
}

static double val(cpts_store *s, const char *part, const char *terr, const char *level,
		  const char *code, const char *ind, const char *col)
{
	return q(s, "SELECT %s FROM profile_values WHERE partition='%s' AND territory='%s' AND"
		 " level='%s' AND level_code='%s' AND indicator='%s'", col, part, terr, level,
		 code, ind);
}

/* Totals add up, for every count and population indicator. */
static void check_sums(cpts_store *s, const char *part)
{
	static const char *const keys[] = {
		"pop_total", "pop_f", "pop_m", "pop_75p", "pyr_F_00-04", "pyr_M_95+",
		"n_communes", "area_km2", "mt_patients", "mt_sans_mt", "mt_mt_parti", "mt_fictif",
		"mt_ald", "mt_ald_sans_mt", "mt_c2s", "mt_c2s_sans_mt", "mt_p70", "mt_p70_sans_mt",
		"icc_observed", "icc_expected", "gp_count", "gp_etp",
	};
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const char *key = keys[k];
		double whole = q(s, "SELECT value FROM profile_values WHERE partition='%s' AND"
				 " level='ensemble' AND indicator='%s' LIMIT 1", part, key);
		double terr = q(s, "SELECT sum(value) FROM profile_values WHERE partition='%s' AND"
				" level='territoire' AND indicator='%s'", part, key);
		double worst = q(s, "SELECT max(abs(t.value - c.s)) FROM profile_values t JOIN"
				 " (SELECT territory, sum(value) AS s FROM profile_values WHERE"
				 " partition='%s' AND level='commune' AND indicator='%s' GROUP BY"
				 " territory) c ON c.territory = t.territory WHERE t.partition='%s'"
				 " AND t.level='territoire' AND t.indicator='%s'",
				 part, key, part, key);
		near(terr, whole, 1e-9, "%s: territories sum to the whole for %s", part, key);
		if (strncmp(key, "pyr_", 4) != 0) /* no pyramid per commune */
			ok(worst < 1e-6 * fmax(1, whole),
			   "%s: communes sum to their territory for %s", part, key);
	}
	/* bounds of a count over masked input cells add up too */
	near(q(s, "SELECT sum(coalesce(hi, value)) FROM profile_values WHERE partition='%s' AND"
	       " level='territoire' AND indicator='mt_sans_mt'", part),
	     q(s, "SELECT hi FROM profile_values WHERE partition='%s' AND level='ensemble' AND"
	       " indicator='mt_sans_mt' LIMIT 1", part), 1e-9,
	     "%s: upper bounds of mt_sans_mt add up", part);
}

/* ICC of a territory recomputed in SQL: rates over non-masked cells of the whole area. */
static double sql_icc(cpts_store *s, const char *where_codes)
{
	return q(s,
		 "WITH r AS (SELECT c.sex, c.age, sum(c.actes) / sum(p.pop) AS rate FROM consumption c"
		 " JOIN population p USING(code, sex, age) WHERE c.masked = 0 GROUP BY c.sex, c.age),"
		 " e AS (SELECT sum(p.pop * r.rate) AS e FROM population p JOIN r USING(sex, age)"
		 "  WHERE p.code IN (%s)),"
		 " o AS (SELECT sum(actes) AS o FROM consumption WHERE masked = 0 AND code IN (%s))"
		 " SELECT 100.0 * o.o / e.e FROM o, e", where_codes, where_codes);
}

static void check_values(cpts_ctx *ctx, cpts_store *s)
{
	double pop_t1 = q(s, "SELECT sum(pop) FROM population WHERE code IN"
			  " ('44001','44002','44003')");
	double lo, hi, icc;

	near(val(s, "p1", "T1", "ensemble", "ALL", "pop_total", "value"),
	     q(s, "SELECT sum(pop) FROM population"), 1e-12, "whole population = sum of the table");
	near(val(s, "p1", "T1", "territoire", "T1", "pop_total", "value"), pop_t1, 1e-12,
	     "T1 population");
	near(val(s, "p1", "T1", "territoire", "T1", "pop_75p", "value"),
	     q(s, "SELECT sum(pop) FROM population WHERE code IN ('44001','44002','44003') AND"
	       " age IN ('75-79','80-84','85-89','90-94','95+')"), 1e-12, "T1 population 75+");
	near(val(s, "p1", "T1", "territoire", "T1", "density", "value"), pop_t1 / 12.0, 1e-12,
	     "T1 density = population / 12 km2");
	/* T1 = 1000 + 2000 + 3000 patients, 5 + 140 + 300 without MT */
	near(val(s, "p1", "T1", "territoire", "T1", "mt_share", "value"), 100.0 * 445 / 6000, 1e-12,
	     "T1 share without MT from summed counts");
	/* gap to 44 (known cells 445 / 7500, 44004 masked): 100 (445/6000 - 445/7500) */
	near(val(s, "p1", "T1", "territoire", "T1", "mt_gap_dep_pts", "value"), 1.48333333333333,
	     1e-9, "T1 gap to its département in points");
	/* SciPy: chi2_contingency([[445,5555],[0,1500]], correction=False) -> p */
	near(val(s, "p1", "T1", "territoire", "T1", "mt_gap_pvalue", "value"), 1.5153645725317e-27,
	     1e-6, "T1 gap p-value (territory vs rest of the département)");
	is_int(val(s, "p1", "T1", "territoire", "T1", "mt_gap_pvalue", "masked"), 1,
	       "the gap is flagged: the département has a masked cell");
	/* masked input: 44004 sans_mt masked, 49001 has 200 -> T2 known 200, [201, 210] */
	near(val(s, "p1", "T2", "territoire", "T2", "mt_sans_mt", "value"), 200, 1e-12,
	     "T2 sans_mt stores the known cells");
	near(val(s, "p1", "T2", "territoire", "T2", "mt_sans_mt", "lo"), 201, 1e-12,
	     "T2 sans_mt lower bound = known + 1 per masked cell");
	near(val(s, "p1", "T2", "territoire", "T2", "mt_sans_mt", "hi"), 210, 1e-12,
	     "T2 sans_mt upper bound = known + 10 per masked cell");
	is_int(val(s, "p1", "T2", "territoire", "T2", "mt_share", "masked"), 1,
	       "T2 share flagged as derived from masked input");
	/* T2 patients 1500 + 2500 = 4000 (no masked cell), sans_mt in [201, 210]: the share
	   lies in [100 x 201 / 4000, 100 x 210 / 4000] = [5.025, 5.25] */
	near(val(s, "p1", "T2", "territoire", "T2", "mt_share", "lo"), 5.025, 1e-12,
	     "T2 share lower bound over the masked cell");
	near(val(s, "p1", "T2", "territoire", "T2", "mt_share", "hi"), 5.25, 1e-12,
	     "T2 share upper bound over the masked cell");
	/* ICC by SQL */
	icc = val(s, "p1", "T1", "territoire", "T1", "icc", "value");
	near(icc, sql_icc(s, "'44001','44002','44003'"), 1e-9, "T1 ICC equals the SQL recomputation");
	/* regression (issue 14 point 9): with a masked consumption cell, E is taken over
	   the same strata as O (the known ones); before, E covered the masked stratum too
	   and the point fell below its feasible range */
	near(val(s, "p1", "T3", "territoire", "T3", "icc", "value"),
	     q(s, "WITH r AS (SELECT c.sex, c.age, sum(c.actes) / sum(p.pop) AS rate FROM"
	       " consumption c JOIN population p USING(code, sex, age) WHERE c.masked = 0"
	       " GROUP BY c.sex, c.age),"
	       " e AS (SELECT sum(p.pop * r.rate) AS e FROM population p JOIN r USING(sex, age)"
	       "  WHERE p.code IN ('49002','35001') AND NOT EXISTS (SELECT 1 FROM consumption c"
	       "  WHERE c.code = p.code AND c.sex = p.sex AND c.age = p.age AND c.masked = 1)),"
	       " o AS (SELECT sum(actes) AS o FROM consumption WHERE masked = 0 AND"
	       "  code IN ('49002','35001'))"
	       " SELECT 100.0 * o.o / e.e FROM o, e"),
	     1e-9, "T3 ICC (with a masked cell): O over E of the same (known) strata");
	ok(val(s, "p1", "T3", "territoire", "T3", "icc", "value") >
	   sql_icc(s, "'49002','35001'") + 1e-9,
	   "T3 ICC is above the former value (E no longer counts the masked stratum)");
	is_int(val(s, "p1", "T3", "territoire", "T3", "icc", "masked"), 1,
	       "T3 ICC flagged (masked consumption cell)");
	{
		/* with a masked consumption cell, the interval spans the lower Garwood limit
		   at the smallest possible O and the upper one at the largest (O bounds are
		   the stored bounds of icc_observed, checked above to be known + m .. 10 m) */
		double e3 = val(s, "p1", "T3", "territoire", "T3", "icc_expected", "value");
		double olo = val(s, "p1", "T3", "territoire", "T3", "icc_observed", "lo");
		double ohi = val(s, "p1", "T3", "territoire", "T3", "icc_observed", "hi");
		double l1, h1, l2, h2;
		cpts_icc(olo, e3, 0.05, false, &l1, &h1);
		cpts_icc(ohi, e3, 0.05, false, &l2, &h2);
		near(val(s, "p1", "T3", "territoire", "T3", "icc", "lo"), l1, 1e-12,
		     "T3 ICC interval starts at the lower limit for the smallest O");
		near(val(s, "p1", "T3", "territoire", "T3", "icc", "hi"), h2, 1e-12,
		     "T3 ICC interval ends at the upper limit for the largest O");
		is_int(val(s, "p1", "T3", "territoire", "T3", "icc_signif", "masked"), 0,
		       "T3 significance read on the widened interval is not flagged");
	}
	cpts_icc(val(s, "p1", "T1", "territoire", "T1", "icc_observed", "value"),
		 val(s, "p1", "T1", "territoire", "T1", "icc_expected", "value"), 0.05, false, &lo, &hi);
	near(val(s, "p1", "T1", "territoire", "T1", "icc", "lo"), lo, 1e-12, "T1 ICC lower bound stored");
	near(val(s, "p1", "T1", "territoire", "T1", "icc", "hi"), hi, 1e-12, "T1 ICC upper bound stored");
	{
		double o = val(s, "p1", "T1", "territoire", "T1", "icc_observed", "value");
		double e = val(s, "p1", "T1", "territoire", "T1", "icc_expected", "value");
		near(val(s, "p1", "T1", "territoire", "T1", "missing_gps", "value"),
		     icc < 100 ? (e - o) / 4973.0 : 0.0, 1e-12, "missing GPs = (E - O) / 4973");
	}
	/* supply: 3 + 5 + 2 GPs, 2.5 + 4.2 + 2 FTE, 1 + 2 + 0 aged 60+ (nurses excluded) */
	near(val(s, "p1", "T1", "territoire", "T1", "gp_count", "value"), 10, 1e-12, "T1 GP headcount");
	near(val(s, "p1", "T1", "territoire", "T1", "gp_etp", "value"), 8.7, 1e-12, "T1 GP FTE");
	near(val(s, "p1", "T1", "territoire", "T1", "gp_share_60p", "value"), 30, 1e-12,
	     "T1 share of GPs aged 60+");
	near(val(s, "p1", "T1", "territoire", "T1", "gp_density", "value"), 10 / pop_t1 * 1e4, 1e-12,
	     "T1 GP density per 10,000");
	near(val(s, "p1", "T3", "territoire", "T3", "gp_count", "value"), 0, 1e-12,
	     "T3 has no GP (a nurse is not a GP)");
	/* APL of a territory = population-weighted mean of its communes' */
	near(val(s, "p1", "T1", "territoire", "T1", "apl", "value"),
	     q(s, "SELECT sum(a.value * p.value) / sum(p.value) FROM profile_values a JOIN"
	       " profile_values p ON p.partition = a.partition AND p.territory = a.territory AND"
	       " p.level = a.level AND p.level_code = a.level_code AND p.indicator = 'pop_total'"
	       " WHERE a.partition = 'p1' AND a.territory = 'T1' AND a.level = 'commune' AND"
	       " a.indicator = 'apl'"), 1e-12, "T1 APL = population-weighted mean");
	ok(val(s, "p1", "T1", "territoire", "T1", "apl", "value") > 0, "T1 APL positive");
	/* ACI tier 1 below 40,000 */
	is_int(val(s, "p1", "T1", "territoire", "T1", "aci_tier", "value"), 1, "T1 ACI tier 1");
	near(val(s, "p1", "T1", "territoire", "T1", "aci_distance", "value"), 40000 - pop_t1, 1e-12,
	     "T1 distance to tier 2");
	near(val(s, "p1", "T1", "territoire", "T1", "aci_ceiling_eur", "value"), 220000, 0,
	     "T1 ACI ceiling");
	/* typology: DENS 1 on 44001 and 4 (-> 2) on 44002: the class with more people */
	{
		double p1 = q(s, "SELECT sum(pop) FROM population WHERE code='44001'");
		double p2 = q(s, "SELECT sum(pop) FROM population WHERE code='44002'");
		is_int(val(s, "p1", "T1", "territoire", "T1", "typology", "value"), p1 >= p2 ? 1 : 2,
		       "T1 typology from the grille de densité");
		is_int(val(s, "p1", "T1", "commune", "44001", "typology", "value"), 1,
		       "commune with DENS 1 is dense urban");
	}
	/* no row for what cannot be computed: no gap at département level */
	ok(isnan(val(s, "p1", "T1", "departement", "44", "mt_gap_dep_pts", "value")),
	   "no gap stored for a département");
	(void)ctx;
}

/* Reference rates from a file, and regional rates. */
static void check_reference(cpts_ctx *ctx, cpts_store *s, const char *dir)
{
	cpts_profile_opts o = CPTS_PROFILE_OPTS_INIT;
	char path[512];
	FILE *f;
	double obs, pop;

	snprintf(path, sizeof(path), "%s/rates.csv", dir);
	f = fopen(path, "w");
	fprintf(f, "sexe;classe_age;taux\n");
	for (int sx = 0; sx < 2; sx++)
		for (int b = 0; b < 20; b++)
			fprintf(f, "%s;%s;2,5\n", sx ? "M" : "F", bands[b]);
	fclose(f);
	o.partition = "p1";
	o.reference = path;
	is_int(cpts_profile_run(ctx, s, &o), CPTS_OK, "profile with a reference file");
	/* constant rate 2.5 -> E = 2.5 x population */
	obs = q(s, "SELECT sum(actes) FROM consumption WHERE code IN ('44001','44002','44003')");
	pop = q(s, "SELECT sum(pop) FROM population WHERE code IN ('44001','44002','44003')");
	near(val(s, "p1", "T1", "territoire", "T1", "icc", "value"), 100 * obs / (2.5 * pop), 1e-12,
	     "ICC with a constant reference rate 2,5 (decimal comma)");
	o.reference = "regional";
	is_int(cpts_profile_run(ctx, s, &o), CPTS_OK, "profile with regional rates");
	/* region 52 has no masked cell: with its own rates its ICC is exactly 100 */
	near(val(s, "p1", "T1", "region", "52", "icc", "value"), 100, 1e-9,
	     "regional reference: the region's own ICC is 100");
	o.reference = "/nonexistent/rates.csv";
	is_int(cpts_profile_run(ctx, s, &o), CPTS_EINPUT, "missing reference file is an input error");
	cpts_error_clear(ctx);
	ok(!isnan(val(s, "p1", "T1", "region", "52", "icc", "value")),
	   "a failed run leaves the stored values");
	o.reference = "national";
	is_int(cpts_profile_run(ctx, s, &o), CPTS_OK, "profile back to national rates");
}

/* Disclosure: no masked cell recoverable from a relation with one unknown term. */
static void check_disclosure(cpts_ctx *ctx, cpts_store *s)
{
	cpts_disclose_opts dopt = CPTS_DISCLOSE_OPTS_INIT;
	cpts_ptable *t = NULL;
	const cpts_pvalue *v;
	int bad = 0;

	is_int(cpts_ptable_load(ctx, &t, s, "p1", &dopt), CPTS_OK, "ptable loads");
	if (!t)
		return;
	/* 44001 has 5 patients without MT: primary */
	v = cpts_ptable_get(t, "T1", "commune", "44001", "mt_sans_mt");
	ok(v && v->masked && isnan(v->value) && isnan(v->lo) && isnan(v->hi),
	   "44001 sans_mt = 5 masked, no bounds (looks like a secondary cell)");
	v = cpts_ptable_get(t, "T1", "commune", "44001", "mt_share");
	ok(v && v->masked && isnan(v->value), "44001 share masked with its numerator");
	/* T1 = 5 + 140 + 300 = 445 published, so 140 (the smallest other) is masked too */
	v = cpts_ptable_get(t, "T1", "territoire", "T1", "mt_sans_mt");
	ok(v && !v->masked && v->value == 445, "T1 total 445 published");
	v = cpts_ptable_get(t, "T1", "commune", "44002", "mt_sans_mt");
	ok(v && v->masked && isnan(v->value) && isnan(v->lo),
	   "44002 (140) masked by secondary suppression, no bounds shown");
	v = cpts_ptable_get(t, "T1", "commune", "44003", "mt_sans_mt");
	ok(v && !v->masked && v->value == 300, "44003 stays published");
	/* breakdown of 44001: parti 3, fictif 1 masked; c2s_sans_mt 15 of c2s 80 fine */
	/* its total (sans_mt 5) is masked: the parts are withdrawn whatever their values,
	   or two masked parts would tell that the total is at least 2 */
	v = cpts_ptable_get(t, "T1", "commune", "44001", "mt_fictif");
	ok(v && !v->masked && isnan(v->value) && isnan(v->lo), "44001 fictif = 1 withdrawn"
	   " (its total is masked)");
	v = cpts_ptable_get(t, "T1", "commune", "44001", "mt_mt_parti");
	ok(v && !v->masked && isnan(v->value), "44001 parti = 3 withdrawn too");
	is_int(t->n_residual, 0, "no masked count left narrowed (linear programs)");
	/* p-values leave only as classes: 0.114 at any precision inverted to a count of 2 */
	ok(cpts_pvalue_class(0.11400355212434) == 1.0 && cpts_pvalue_class(0.04) == 0.05 &&
	   cpts_pvalue_class(0.009) == 0.01 && cpts_pvalue_class(1e-27) == 0.001 &&
	   isnan(cpts_pvalue_class(NAN)), "p-value classes 1, 0.05, 0.01, 0.001");
	/* regression: readers class the table's value again (the HTML showed the class
	   0.001 as "p < 0,01" and 0.05 as "non significatif") */
	ok(cpts_pvalue_class(0.001) == 0.001 && cpts_pvalue_class(0.01) == 0.01 &&
	   cpts_pvalue_class(0.05) == 0.05 && cpts_pvalue_class(1.0) == 1.0,
	   "a p-value class is its own class");
	{
		size_t n_p = 0, n_bad = 0;
		for (size_t r = 0; r < t->n; r++) {
			const cpts_pvalue *w = &t->v[r];
			if (strcmp(w->indicator, "mt_gap_pvalue") != 0 || w->masked)
				continue;
			n_p++;
			n_bad += !(w->value == 0.001 || w->value == 0.01 || w->value == 0.05 ||
				   w->value == 1.0);
		}
		ok(n_bad == 0, "every published p-value is a class (%zu of %zu are not)", n_bad,
		   n_p);
	}
	/* masked input never shown as zero or as the known sum */
	v = cpts_ptable_get(t, "T2", "commune", "44004", "mt_sans_mt");
	ok(v && v->masked && isnan(v->value) && v->lo == 1 && v->hi == 10,
	   "44004 masked input stays masked with bounds [1, 10]");
	v = cpts_ptable_get(t, "T2", "territoire", "T2", "mt_sans_mt");
	ok(v && v->masked && isnan(v->value) && v->lo == 201 && v->hi == 210,
	   "T2 total over a masked cell shown as bounds [201, 210]");
	v = cpts_ptable_get(t, "T2", "territoire", "T2", "mt_share");
	ok(v && v->masked && isnan(v->value), "T2 share masked");
	ok(v && fabs(v->lo - 5.025) < 1e-12 && fabs(v->hi - 5.25) < 1e-12,
	   "T2 share keeps its bounds [5.025, 5.25] (its count is only a bound)");
	v = cpts_ptable_get(t, "T1", "commune", "44002", "mt_share");
	ok(v && v->masked && isnan(v->value) && isnan(v->lo) && isnan(v->hi),
	   "44002 share hidden with no bounds: its count was suppressed");
	v = cpts_ptable_get(t, "T2", "departement", "44", "mt_sans_mt");
	ok(v && v->masked && v->lo == 446, "département 44 total is a bound (at least 446)");
	v = cpts_ptable_get(t, "T1", "departement", "44", "mt_sans_mt");
	ok(v && v->masked && v->lo == 446, "the same cell is masked alike under every territory");
	/* population is public */
	v = cpts_ptable_get(t, "T1", "commune", "44001", "pop_total");
	ok(v && !v->masked && v->value > 0, "population never masked");
	ok(cpts_ptable_get(t, "T1", "commune", "44001", "nonexistent") == NULL,
	   "absent value gives NULL");
	/* generic check: within every territory and for every count, never exactly one
	   unknown term among the communes and the total */
	for (int terr = 1; terr <= 3; terr++) {
		char tid[16];
		snprintf(tid, sizeof(tid), "T%d", terr);
		for (const cpts_indicator *ind = cpts_indicators; ind->key; ind++) {
			int n_unknown = 0, n_cells = 0;
			if (ind->kind != CPTS_IND_COUNT)
				continue;
			v = cpts_ptable_get(t, tid, "territoire", tid, ind->key);
			if (!v)
				continue;
			n_unknown += v->masked;
			for (int k = 0; k < NC; k++) {
				const cpts_pvalue *c = cpts_ptable_get(t, tid, "commune", codes[k],
								       ind->key);
				if (c) {
					n_cells++;
					n_unknown += c->masked;
				}
			}
			if (n_unknown == 1) {
				bad++;
				diag("%s %s: one unknown term among %d communes + total", tid,
				     ind->key, n_cells);
			}
		}
	}
	is_int(bad, 0, "no commune count recoverable from its territory total");
	cpts_ptable_free(t);
	/* a higher threshold masks more */
	dopt.threshold = 50;
	is_int(cpts_ptable_load(ctx, &t, s, "p1", &dopt), CPTS_OK, "ptable with threshold 50");
	v = t ? cpts_ptable_get(t, "T1", "commune", "44001", "mt_ald_sans_mt") : NULL;
	ok(v && (v->masked || v->withdrawn) && isnan(v->value) && isnan(v->hi),
	   "threshold 50: 20 not published");
	cpts_ptable_free(t);
}

/* cpts_store_indicator_data_halves: rows handed back in two halves of the codes (the
   upper one on a second connection, in another thread, inside the caller's write
   transaction), each in key order, every stored row once with its values. */
typedef struct got_rows {
	cpts_indrow r[64];
	size_t n;
} got_rows;

/* (indicator, code, sex, age, year) order, written out here */
static int key_cmp(const cpts_indrow *x, const cpts_indrow *y)
{
	int c;

	if ((c = strcmp(x->indicator, y->indicator)) || (c = strcmp(x->code, y->code)) ||
	    (c = strcmp(x->sex, y->sex)) || (c = strcmp(x->age, y->age)))
		return c;
	return (x->year > y->year) - (x->year < y->year);
}

static int got_row(void *arg, const cpts_indrow *r)
{
	got_rows *g = arg;

	if (g->n < 64)
		g->r[g->n] = *r;
	g->n++;
	return CPTS_OK;
}

static void check_halves(cpts_ctx *ctx, cpts_store *s)
{
	static const char *const inds[] = { "hx_b", "hx_a" };
	static const char *const hcodes[] = { "44005", "44001", "44003", "44002", "44004" };
	cpts_indrow in[20];
	got_rows lo, hi;
	size_t n = 0, bad = 0, found = 0;

	memset(in, 0, sizeof(in));
	for (size_t i = 0; i < 2; i++)
		for (size_t c = 0; c < 5; c++)
			for (int y = 2022; y <= 2023; y++) {
				cpts_indrow *r = &in[n++];
				snprintf(r->indicator, sizeof(r->indicator), "%s", inds[i]);
				snprintf(r->code, sizeof(r->code), "%s", hcodes[c]);
				snprintf(r->sex, sizeof(r->sex), "T");
				snprintf(r->age, sizeof(r->age), "ALL");
				r->year = y;
				r->masked = c == 2 && y == 2023;
				r->num = r->masked ? NAN : 100.0 * (double)i + 10.0 * (double)c + y - 2022;
				r->den = c == 4 ? NAN : 1000.0 + (double)c;
			}
	is_int(cpts_store_begin(ctx, s), CPTS_OK, "halves: transaction");
	is_int(cpts_store_indicator_data_put(ctx, s, in, n), CPTS_OK, "halves: rows stored");
	is_int(cpts_store_commit(ctx, s), CPTS_OK, "halves: committed");
	memset(&lo, 0, sizeof(lo));
	memset(&hi, 0, sizeof(hi));
	/* as cpts profile reads them: inside its BEGIN IMMEDIATE */
	is_int(cpts_store_begin(ctx, s), CPTS_OK, "halves: write transaction open");
	is_int(cpts_store_indicator_data_halves(ctx, s, "44003", got_row, &lo, got_row, &hi),
	       CPTS_OK, "halves: read");
	cpts_store_rollback(s);
	is_int((long)lo.n, 8, "lower half: 2 indicators x 2 codes x 2 years");
	is_int((long)hi.n, 12, "upper half: 2 indicators x 3 codes x 2 years");
	for (size_t k = 0; k < lo.n && k < 64; k++)
		bad += strcmp(lo.r[k].code, "44003") >= 0 ||
		       (k && key_cmp(&lo.r[k - 1], &lo.r[k]) >= 0);
	for (size_t k = 0; k < hi.n && k < 64; k++)
		bad += strcmp(hi.r[k].code, "44003") < 0 ||
		       (k && key_cmp(&hi.r[k - 1], &hi.r[k]) >= 0);
	is_int((long)bad, 0, "each half holds its codes only, in key order");
	ok(strcmp(lo.r[0].indicator, "hx_a") == 0 && strcmp(lo.r[0].code, "44001") == 0 &&
	   lo.r[0].year == 2022, "the lower half starts at the smallest key");
	for (size_t k = 0; k < n; k++)
		for (int h = 0; h < 2; h++) {
			const got_rows *g = h ? &hi : &lo;
			for (size_t j = 0; j < g->n && j < 64; j++) {
				const cpts_indrow *r = &g->r[j];
				if (key_cmp(r, &in[k]) != 0)
					continue;
				found += r->masked == in[k].masked &&
					 (isnan(in[k].num) ? isnan(r->num) : r->num == in[k].num) &&
					 (isnan(in[k].den) ? isnan(r->den) : r->den == in[k].den);
			}
		}
	is_int((long)found, (long)n, "every stored row read back once with its values");
}

int main(void)
{
	cpts_ctx ctx;
	cpts_store *s = NULL;
	cpts_profile_opts o = CPTS_PROFILE_OPTS_INIT;
	char dir[] = "/tmp/cpts-test-profile-XXXXXX", path[512];
	const char *adhoc[] = { "44001", "44002" };

	if (cpts_ctx_init(&ctx) < 0 || !mkdtemp(dir))
		skip_all("cannot initialise");
	ctx.verbosity = CPTS_LOG_WARN;
	snprintf(path, sizeof(path), "%s/ws.sqlite", dir);
	is_int(cpts_store_open(&ctx, &s, path, CPTS_STORE_CREATE), CPTS_OK, "workspace created");
	if (!s)
		return done_testing();
	is_int(build(&ctx, s), CPTS_OK, "hand-made workspace filled");
	o.partition = "p1";
	is_int(cpts_profile_run(&ctx, s, &o), CPTS_OK, "profile p1");
	if (ctx.err.code)
		diag("%s", ctx.err.msg);
	check_sums(s, "p1");
	check_values(&ctx, s);
	o.partition = "p2";
	is_int(cpts_profile_run(&ctx, s, &o), CPTS_OK, "profile p2 (a split commune)");
	check_sums(s, "p2");
	near(val(s, "p2", "U1", "commune", "44003", "mt_patients", "value"), 0.4 * 3000, 1e-12,
	     "split commune counts are weighted (0.4 x 3000)");
	check_reference(&ctx, s, dir);
	check_disclosure(&ctx, s);
	check_halves(&ctx, s);
	/* attraction shares leave in whole percents (at 0.1 % they pin a commune's total) */
	near(cpts_share_whole_pct(0.1234), 0.12, 1e-12, "attraction share 12.34 %% published as 12 %%");
	near(cpts_share_whole_pct(0.4567), 0.46, 1e-12, "attraction share 45.67 %% published as 46 %%");
	ok(isnan(cpts_share_whole_pct(NAN)), "an absent share stays absent");
	/* --communes: an ad-hoc territory */
	o.partition = NULL;
	o.communes = adhoc;
	o.n_communes = 2;
	is_int(cpts_profile_run(&ctx, s, &o), CPTS_OK, "ad-hoc territory from a list of communes");
	near(val(s, "_adhoc", "territoire", "territoire", "territoire", "pop_total", "value"),
	     q(s, "SELECT sum(pop) FROM population WHERE code IN ('44001','44002')"), 1e-12,
	     "ad-hoc territory population");
	/* --territory restricts */
	o.communes = NULL;
	o.n_communes = 0;
	o.partition = "p1";
	{
		const char *only[] = { "T9" };
		o.territories = only;
		o.n_territories = 1;
		is_int(cpts_profile_run(&ctx, s, &o), CPTS_EUSAGE, "unknown territory is a usage error");
		cpts_error_clear(&ctx);
	}
	cpts_store_free(s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/rates.csv", dir);
	unlink(path);
	rmdir(dir);
	cpts_ctx_release(&ctx);
	return done_testing();
}
