/*
 * test_ingest.c - every input kind through cpts_ingest_communes / cpts_ingest_table on
 * the hand-made fixtures of tests/data/ingest (see its README for what each file
 * exercises). Expected values are computed by hand from the fixture rows, written next
 * to each assertion.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/ctx.h"
#include "cpts/ingest.h"
#include "cpts/model.h"
#include "cpts/store.h"
#include "tap.h"

static char dir[2048], ws[4096];

static const char *fx(const char *name)
{
	static char p[4][4096];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static double q1(cpts_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	double v = -999;

	if (sqlite3_prepare_v2(cpts_store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int table(cpts_ctx *ctx, cpts_store *s, cpts_table_kind k, const char *file)
{
	cpts_error_clear(ctx);
	return cpts_ingest_table(ctx, s, k, fx(file), NULL);
}

static void test_communes(cpts_ctx *ctx, cpts_store *s)
{
	size_t skipped = 99;

	is_int(cpts_ingest_communes(ctx, s, fx("communes.geojson"), NULL, &skipped), CPTS_OK,
	       "communes.geojson ingests");
	is_int(skipped, 0, "nothing skipped");
	is_int(q1(s, "SELECT count(*) FROM communes"), 7, "7 communes");
	is_int(q1(s, "SELECT srid FROM communes WHERE code = '2A004'"), 2154, "Corsica in Lambert-93");
	is_int(q1(s, "SELECT dep = '2A' FROM communes WHERE code = '2A004'"), 1, "dep of 2A004 is 2A");
	is_int(q1(s, "SELECT reg = '52' FROM communes WHERE code = '44109'"), 1, "reg from the COG table");
	/* reference: ogrinfo -dialect sqlite -sql "SELECT ST_Area(ST_Transform(geometry,2154))/1e6
	 * FROM communes WHERE INSEE_COM='49007'" tests/data/ingest/communes.geojson -> 50.20725819 */
	near(q1(s, "SELECT area_km2 FROM communes WHERE code = '49007'"), 50.2072581937859, 1e-9,
	     "area of the Angers rectangle (ogrinfo ST_Area after ST_Transform to 2154)");
	is_int(q1(s, "SELECT ST_Within(MakePoint(px, py, 2154), geom) FROM communes WHERE code"
		  " = '44109'"), 1, "representative point inside the two-part Nantes polygon");
	near(q1(s, "SELECT lon FROM communes WHERE code = '49007'"), -0.55, 0.1,
	     "longitude of the point near -0.55");
	is_int(q1(s, "SELECT count(*) FROM communes WHERE GeometryType(geom) = 'MULTIPOLYGON'"), 7,
	       "every geometry stored as MULTIPOLYGON");
}

static void test_population(cpts_ctx *ctx, cpts_store *s)
{
	is_int(table(ctx, s, CPTS_TABLE_POPULATION, "population_latin1.csv"), CPTS_OK,
	       "Latin-1 ';' decimal-comma CRLF population");
	/* 8123,5 read with a decimal comma */
	near(q1(s, "SELECT pop FROM population WHERE code='44109' AND sex='F' AND age='00-04'"),
	     8123.5, 0, "44109 F 00-04 = 8123,5");
	near(q1(s, "SELECT pop FROM population WHERE code='44109' AND sex='M' AND age='00-04'"),
	     8400, 0, "'0-4' normalised to 00-04");
	near(q1(s, "SELECT pop FROM population WHERE code='44109' AND age='95+'"), 1200, 0,
	     "'95 et +' normalised to 95+");
	near(q1(s, "SELECT pop FROM population WHERE code='44190' AND sex='M'"), 700.25, 0, "H = M");
	near(q1(s, "SELECT pop FROM population WHERE code='49007' AND sex='F'"), 6000, 0, "2 = F");
	near(q1(s, "SELECT pop FROM population WHERE code='01004'"), 450, 0, "'1004' repaired to 01004");
	near(q1(s, "SELECT pop FROM population WHERE code='2A004'"), 3000, 0, "'2a004' -> 2A004");
	is_int(q1(s, "SELECT count(*) FROM population WHERE code='44020' AND age='ALL'"), 0,
	       "total row of 44020 dropped: it has rows by sex and age (never both forms)");
	/* the per-commune totals every model load reads, summed once by the ingest */
	near(q1(s, "SELECT pop FROM population_total WHERE code='44109'"),
	     q1(s, "SELECT sum(pop) FROM population WHERE code='44109'"), 1e-9,
	     "population_total of 44109 = the sum of its sex-by-age rows");
	is_int(q1(s, "SELECT count(*) FROM population_total"),
	       q1(s, "SELECT count(DISTINCT code) FROM population"), "one total per commune");
	{
		cpts_model *m = NULL;
		double before = q1(s, "SELECT sum(pop) FROM population WHERE code='44109'");
		long i;
		ok(cpts_model_load(ctx, &m, s) == 0 && (i = cpts_model_find(m, "44109")) >= 0 &&
		   m->c[i].pop == q1(s, "SELECT pop FROM population_total WHERE code='44109'"),
		   "the model's population of 44109 is its stored total");
		cpts_model_free(ctx, m);
		m = NULL;
		/* the totals are a derived result like any other (no row-count guard): valid
		 * until the population is replaced, which drops them (deps.c); then the model
		 * sums the rows */
		q1(s, "INSERT INTO population VALUES('44109', 'F', '05-09', 1000)");
		ok(cpts_model_load(ctx, &m, s) == 0 && (i = cpts_model_find(m, "44109")) >= 0 &&
		   fabs(m->c[i].pop - before) < 1e-9,
		   "a row written outside cpts: the stored total is still the one read");
		cpts_model_free(ctx, m);
		m = NULL;
		ok(cpts_store_begin(ctx, s) == 0 &&
		   cpts_store_input_replaced(ctx, s, "population", NULL) == 0 &&
		   cpts_store_commit(ctx, s) == 0, "population marked replaced");
		is_int(q1(s, "SELECT count(*) FROM population_total"), 0,
		       "replacing the population drops the stored totals");
		ok(cpts_model_load(ctx, &m, s) == 0 && (i = cpts_model_find(m, "44109")) >= 0 &&
		   fabs(m->c[i].pop - (before + 1000)) < 1e-9,
		   "without stored totals the model sums the rows (+1000)");
		cpts_model_free(ctx, m);
		q1(s, "DELETE FROM population WHERE code='44109' AND sex='F' AND age='05-09'");
	}

	is_int(table(ctx, s, CPTS_TABLE_PASSAGE, "passage.csv"), CPTS_OK, "passage table");
	is_int(q1(s, "SELECT count(*) FROM passage"), 4, "4 passage rows");
	is_int(table(ctx, s, CPTS_TABLE_POPULATION, "population_bom.csv"), CPTS_OK,
	       "UTF-8 BOM ',' quoted plain totals");
	is_int(q1(s, "SELECT count(*) FROM population WHERE sex <> 'T' OR age <> 'ALL'"), 0,
	       "re-ingesting replaced the table: only totals left");
	/* 325070 + 1000 of merged 44999 */
	near(q1(s, "SELECT pop FROM population WHERE code='44109'"), 326070, 0,
	     "merged commune 44999 adds up onto 44109");
	/* 20618 + 0.6 * 2000 and 28000 + 0.4 * 2000 */
	near(q1(s, "SELECT pop FROM population WHERE code='44020'"), 21818, 1e-12, "split 60 %%");
	near(q1(s, "SELECT pop FROM population WHERE code='44190'"), 28800, 1e-12, "split 40 %%");
	/* 38482 + 24153 + 55653 */
	near(q1(s, "SELECT pop FROM population WHERE code='13055'"), 118288, 0,
	     "arrondissements aggregated onto Marseille");
	near(q1(s, "SELECT pop FROM population WHERE code='2A004'"), 74063, 0, "'74 063' with a blank");
	is_int(q1(s, "SELECT count(*) FROM attributes WHERE name LIKE 'population_arm_%'"), 3,
	       "populations of the 3 arrondissements kept for partition weights");
	is_int(q1(s, "SELECT n_rows FROM sources WHERE tbl='population'"), 11, "sources: 11 rows");
	is_int(q1(s, "SELECT length(sha256) FROM sources WHERE tbl='population'"), 64, "sources: SHA-256");
}

static void test_counts(cpts_ctx *ctx, cpts_store *s)
{
	is_int(table(ctx, s, CPTS_TABLE_CONSUMPTION, "consumption_masked.csv"), CPTS_OK, "consumption");
	is_int(q1(s, "SELECT count(*) FROM consumption WHERE masked = 1 AND actes IS NULL"), 6,
	       "<11, < 11, s, NS, secret and empty kept as masked (NULL), never zero");
	near(q1(s, "SELECT actes FROM consumption WHERE code='49007' AND sex='M'"), 15.5, 0, "15,5");
	is_int(q1(s, "SELECT n_masked FROM sources WHERE tbl='consumption'"), 6, "sources: 6 masked");

	is_int(table(ctx, s, CPTS_TABLE_MT, "mt.csv"), CPTS_OK, "mt");
	/* ald_sans_mt is the 6th count: bit 32; sans_mt the 2nd: bit 2 */
	is_int(q1(s, "SELECT mask FROM mt WHERE code='44109'"), 32, "mt mask bit of ald_sans_mt");
	is_int(q1(s, "SELECT mask FROM mt WHERE code='44020'"), 2, "mt mask bit of sans_mt");
	is_int(q1(s, "SELECT c2s IS NULL FROM mt WHERE code='44109'"), 1, "c2s not given: NULL");

	is_int(table(ctx, s, CPTS_TABLE_SUPPLY, "supply.csv"), CPTS_OK, "supply");
	near(q1(s, "SELECT etp FROM supply WHERE code='44109' AND profession='medecin_generaliste'"),
	     280.5, 0, "etp 280,5");

	is_int(table(ctx, s, CPTS_TABLE_FLOWS, "flows.csv.gz"), CPTS_OK, "flows from .csv.gz");
	/* 50000 + 50 from old code 44999 */
	near(q1(s, "SELECT volume FROM flows WHERE orig='44109' AND dest='44109'"), 50050, 0,
	     "passage applied to flows");
	is_int(q1(s, "SELECT outside FROM flows WHERE dest='35238'"), 1, "outside destination kept");
	near(q1(s, "SELECT volume FROM flows WHERE orig='13055' AND dest='13055'"), 1000, 0,
	     "flows of arrondissements 700 + 300 onto Marseille");
	is_int(q1(s, "SELECT masked FROM flows WHERE orig='44190'"), 1, "masked flow");

	is_int(table(ctx, s, CPTS_TABLE_TRAVELTIME, "traveltime.tsv"), CPTS_OK, "traveltime (tab)");
	near(q1(s, "SELECT minutes FROM traveltime WHERE orig='44109' AND dest='44020'"), 12.5, 0, "12,5 min");
	is_int(table(ctx, s, CPTS_TABLE_REFERENCE, "reference.csv"), CPTS_OK, "reference");
	near(q1(s, "SELECT rate FROM reference WHERE sex='F' AND age='95+'"), 9, 0, "rate F 95+");
	is_int(table(ctx, s, CPTS_TABLE_ATTRIBUTES, "attributes.csv"), CPTS_OK, "attributes");
	is_int(q1(s, "SELECT value FROM attributes WHERE code='44020' AND name='DENS'"), 2, "DENS kept by name");
	is_int(q1(s, "SELECT count(*) FROM attributes WHERE name LIKE 'population_arm_%'"), 3,
	       "attributes re-ingest keeps arrondissement populations");
}

/* Warnings of one call into a buffer: ctx->log redirected to a temporary file (and
 * warnings let through) by a first call, read back and restored by a second. */
static size_t warned(cpts_ctx *ctx, FILE **saved, char *buf, size_t cap)
{
	static int verbosity;
	size_t got = 0;

	if (!*saved) {
		*saved = ctx->log ? ctx->log : stderr;
		verbosity = ctx->verbosity;
		ctx->verbosity = CPTS_LOG_WARN;
		ctx->log = tmpfile();
		return 0;
	}
	ctx->verbosity = verbosity;
	if (ctx->log) {
		rewind(ctx->log);
		got = fread(buf, 1, cap - 1, ctx->log);
		fclose(ctx->log);
	}
	buf[got] = 0;
	ctx->log = *saved;
	*saved = NULL;
	return got;
}

static void test_partition(cpts_ctx *ctx, cpts_store *s)
{
	FILE *saved = NULL;
	char msg[2048];

	warned(ctx, &saved, msg, sizeof(msg));
	is_int(table(ctx, s, CPTS_TABLE_PARTITION, "partition_arm.csv"), CPTS_OK,
	       "partition given by arrondissement");
	warned(ctx, &saved, msg, sizeof(msg));
	/* issue 17: equal shares were silent */
	ok(strstr(msg, "16 arrondissement rows weighted equally within their commune (the"
		  " first in 13055)") != NULL, "equal arrondissement shares warned of: %s", msg);
	/* only 3 of the 16 arrondissement populations are known: equal weights, 8/16 each */
	near(q1(s, "SELECT weight FROM partition_members WHERE partition='partition_arm' AND code='13055' AND territory LIKE '%Nord'"),
	     0.5, 1e-12, "Marseille split Nord 8/16");
	near(q1(s, "SELECT weight FROM partition_members WHERE partition='partition_arm' AND code='13055' AND territory LIKE '%Sud'"),
	     0.5, 1e-12, "Marseille split Sud 8/16");
	is_int(q1(s, "SELECT count(*) FROM partitions WHERE name='partition_arm' AND kind='input'"), 1,
	       "partition named after the file stem");
	{
		cpts_ingest_table_opts o = CPTS_INGEST_TABLE_OPTS_INIT;
		o.name = "autre";
		cpts_error_clear(ctx);
		is_int(cpts_ingest_table(ctx, s, CPTS_TABLE_PARTITION, fx("partition_arm.csv"), &o),
		       CPTS_OK, "second partition --name autre");
		is_int(q1(s, "SELECT count(DISTINCT partition) FROM partition_members"), 2,
		       "two partitions coexist");
	}
	is_int(table(ctx, s, CPTS_TABLE_POPULATION, "population_arm16.csv"), CPTS_OK,
	       "population of all 16 arrondissements");
	warned(ctx, &saved, msg, sizeof(msg));
	is_int(table(ctx, s, CPTS_TABLE_PARTITION, "partition_arm.csv"), CPTS_OK, "partition again");
	warned(ctx, &saved, msg, sizeof(msg));
	ok(!strstr(msg, "weighted equally"), "no equal-share warning once the populations are in");
	/* arrondissements 1..8 have 1000 each, 9..16 have 3000 each: Nord 8000/32000 */
	near(q1(s, "SELECT weight FROM partition_members WHERE partition='partition_arm' AND code='13055' AND territory LIKE '%Nord'"),
	     0.25, 1e-12, "Nord weight from arrondissement populations");
	near(q1(s, "SELECT weight FROM partition_members WHERE partition='partition_arm' AND code='13055' AND territory LIKE '%Sud'"),
	     0.75, 1e-12, "Sud weight from arrondissement populations");
}

static void test_errors(cpts_ctx *ctx, cpts_store *s)
{
	cpts_ingest_table_opts o = CPTS_INGEST_TABLE_OPTS_INIT;
	const char *map[] = { "population=effectif_total" };

	is_int(table(ctx, s, CPTS_TABLE_POPULATION, "broken/unknown.csv"), CPTS_EINPUT, "unknown codes");
	ok(strstr(ctx->err.msg, "not in the workspace") && strstr(ctx->err.msg, "35238"),
	   "unknown codes listed: %s", ctx->err.msg);
	near(q1(s, "SELECT pop FROM population WHERE code='13055'"), 32000, 0,
	     "failed ingest left the previous population in place");
	o.skip_unknown = true;
	cpts_error_clear(ctx);
	is_int(cpts_ingest_table(ctx, s, CPTS_TABLE_POPULATION, fx("broken/unknown.csv"), &o), CPTS_OK,
	       "--skip-unknown sets them aside");
	o.skip_unknown = false;
	o.map = map;
	o.n_map = 1;
	cpts_error_clear(ctx);
	is_int(cpts_ingest_table(ctx, s, CPTS_TABLE_POPULATION, fx("mapped.csv"), &o), CPTS_OK,
	       "--map population=effectif_total");
	near(q1(s, "SELECT pop FROM population WHERE code='44109'"), 42, 0, "mapped column read");
}

/* The name of territory terr in partition part, as cpts_partition_load gives it ("" when
 * none, "?" when the territory is missing). */
static void terr_name(cpts_ctx *ctx, cpts_store *s, const char *part, const char *terr,
		      char *out, size_t n)
{
	cpts_model *m = NULL;
	cpts_partition *p = NULL;
	long t;

	snprintf(out, n, "?");
	if (cpts_model_load(ctx, &m, s) == 0 && cpts_partition_load(ctx, &p, s, m, part) == 0 &&
	    (t = cpts_partition_find(p, terr)) >= 0)
		snprintf(out, n, "%s", p->names[t] ? p->names[t] : "");
	cpts_partition_free(p);
	cpts_model_free(ctx, m);
}

/* Territory names: the nom column, --from-column with --name-column or --names, the
 * uncovered communes, names through cpts_partition_save_named and an older workspace. */
static void test_names(cpts_ctx *ctx, cpts_store **sp)
{
	cpts_ingest_table_opts o = CPTS_INGEST_TABLE_OPTS_INIT;
	cpts_store *s = *sp;
	char nm[128];

	is_int(table(ctx, s, CPTS_TABLE_PARTITION, "partition_names.csv"), CPTS_OK,
	       "partition with a nom column");
	terr_name(ctx, s, "partition_names", "T2", nm, sizeof(nm));
	is_str(nm, "Sud-Loire", "T2 named from its rows");
	terr_name(ctx, s, "partition_names", "T3", nm, sizeof(nm));
	is_str(nm, "", "T3 (empty nom) has no name: NULL");
	is_int(q1(s, "SELECT count(*) FROM territory_names WHERE partition='partition_names'"), 2,
	       "two names stored");
	is_int(table(ctx, s, CPTS_TABLE_PARTITION, "partition_names_conflict.csv"), CPTS_EINPUT,
	       "two names for one territory refused");
	ok(strstr(ctx->err.msg, "partition_names_conflict.csv:4:") &&
	   strstr(ctx->err.msg, "'Sud Loire'") && strstr(ctx->err.msg, "line 3"),
	   "error names both lines: %s", ctx->err.msg);

	/* --from-column epci_siren --name-column epci_nom */
	o.name = "epci";
	o.from_column = "epci_siren";
	o.name_column = "epci_nom";
	cpts_error_clear(ctx);
	is_int(cpts_ingest_table(ctx, s, CPTS_TABLE_PARTITION, fx("communes_epci.csv"), &o),
	       CPTS_EINPUT, "85113 is not in the workspace: refused without --skip-unknown");
	o.skip_unknown = true;
	cpts_error_clear(ctx);
	is_int(cpts_ingest_table(ctx, s, CPTS_TABLE_PARTITION, fx("communes_epci.csv"), &o),
	       CPTS_OK, "--from-column epci_siren --name-column epci_nom");
	/* 6 communes with a value: 3 in 244400404, 49007, 01004, 13055 alone: 4 territories */
	is_int(q1(s, "SELECT count(*) FROM partition_members WHERE partition='epci'"), 6,
	       "6 communes covered (Ajaccio has no EPCI)");
	is_int(q1(s, "SELECT count(DISTINCT territory) FROM partition_members WHERE partition='epci'"),
	       4, "4 EPCI");
	is_int(q1(s, "SELECT count(*) FROM partition_members WHERE partition='epci' AND code='2A004'"),
	       0, "Ajaccio uncovered");
	terr_name(ctx, s, "epci", "244400404", nm, sizeof(nm));
	is_str(nm, "Nantes Métropole", "EPCI name from the name column");
	terr_name(ctx, s, "epci", "240100883", nm, sizeof(nm));
	is_str(nm, "", "EPCI with an empty name column: no name");
	is_int(q1(s, "SELECT count(*) FROM partition_members WHERE partition='epci' AND statut IS NOT NULL"),
	       0, "no statut read from an attribute file");

	/* --names FILE instead */
	o.name_column = NULL;
	o.names_file = fx("epci_names.csv");
	cpts_error_clear(ctx);
	is_int(cpts_ingest_table(ctx, s, CPTS_TABLE_PARTITION, fx("communes_epci.csv"), &o),
	       CPTS_OK, "--from-column epci_siren --names epci_names.csv");
	terr_name(ctx, s, "epci", "240100883", nm, sizeof(nm));
	is_str(nm, "CC de la Plaine de l'Ain", "EPCI name from the names file");
	terr_name(ctx, s, "epci", "200054807", nm, sizeof(nm));
	is_str(nm, "", "EPCI absent from the names file: no name");
	is_int(q1(s, "SELECT count(*) FROM territory_names WHERE partition='epci'"), 3,
	       "only the names of territories with members are kept (3 of 4)");
	o.name_column = "epci_nom";
	cpts_error_clear(ctx);
	is_int(cpts_ingest_table(ctx, s, CPTS_TABLE_PARTITION, fx("communes_epci.csv"), &o),
	       CPTS_EUSAGE, "--name-column and --names together refused");
	o.name_column = NULL;
	o.from_column = NULL;
	o.names_file = NULL;
	o.name_column = "epci_nom";
	cpts_error_clear(ctx);
	is_int(cpts_ingest_table(ctx, s, CPTS_TABLE_PARTITION, fx("communes_epci.csv"), &o),
	       CPTS_EUSAGE, "--name-column without --from-column refused");

	/* names written by cpts_partition_save_named, dropped by cpts_partition_save */
	{
		cpts_model *m = NULL;
		char *ids[] = { (char *)"A", (char *)"B" }, *names[] = { (char *)"Alpha", NULL };
		long *lab = NULL;
		int rc = cpts_model_load(ctx, &m, s);
		ok(rc == 0, "model");
		if (rc == 0) {
			lab = calloc(m->n, sizeof(long));
			for (size_t i = 0; i < m->n; i++)
				lab[i] = (long)(i % 2);
			cpts_store_begin(ctx, s);
			is_int(cpts_partition_save_named(ctx, s, m, "saved", "input", "test", NULL,
							 ids, names, lab), CPTS_OK, "save_named");
			cpts_store_commit(ctx, s);
			terr_name(ctx, s, "saved", "A", nm, sizeof(nm));
			is_str(nm, "Alpha", "name saved and loaded back");
			terr_name(ctx, s, "saved", "B", nm, sizeof(nm));
			is_str(nm, "", "NULL name stays NULL");
			cpts_store_begin(ctx, s);
			cpts_partition_save(ctx, s, m, "saved", "input", "test", NULL, ids, lab);
			cpts_store_commit(ctx, s);
			is_int(q1(s, "SELECT count(*) FROM territory_names WHERE partition='saved'"), 0,
			       "cpts_partition_save drops the names of the partition it replaces");
		}
		free(lab);
		cpts_model_free(ctx, m);
	}

	/* a workspace of an older cpts: no table territory_names */
	sqlite3_exec(cpts_store_db(s), "DROP TABLE territory_names", NULL, NULL, NULL);
	cpts_store_free(s);
	*sp = s = NULL;
	cpts_error_clear(ctx);
	ok(cpts_store_open(ctx, &s, ws, CPTS_STORE_READONLY) == 0, "older workspace opens read-only");
	if (s) {
		terr_name(ctx, s, "epci", "244400404", nm, sizeof(nm));
		is_str(nm, "", "its partitions load, without names");
		is_int(q1(s, "SELECT count(*) FROM sqlite_master WHERE name='territory_names'"), 0,
		       "a read-only open does not create the table");
		cpts_store_free(s);
		s = NULL;
	}
	ok(cpts_store_open(ctx, &s, ws, 0) == 0, "older workspace opens for writing");
	*sp = s;
	if (s)
		is_int(q1(s, "SELECT count(*) FROM sqlite_master WHERE name='territory_names'"), 1,
		       "the missing table is created");
}

int main(void)
{
	cpts_ctx ctx;
	cpts_store *s = NULL;
	const char *src = getenv("CPTS_SRC");

	if (!src)
		skip_all("CPTS_SRC is not set (run through meson test)");
	snprintf(dir, sizeof(dir), "%s/tests/data/ingest", src);
	snprintf(ws, sizeof(ws), "/tmp/cpts_test_ingest_%d.sqlite", (int)getpid());
	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	unlink(ws);
	if (cpts_store_open(&ctx, &s, ws, CPTS_STORE_CREATE) < 0) {
		printf("Bail out! cannot create %s: %s\n", ws, ctx.err.msg);
		return 1;
	}
	is_int(table(&ctx, s, CPTS_TABLE_POPULATION, "population_bom.csv"), CPTS_EINPUT,
	       "a table before any commune is refused");
	ok(strstr(ctx.err.msg, "no communes") != NULL, "message says to ingest communes first");
	test_communes(&ctx, s);
	test_population(&ctx, s);
	test_counts(&ctx, s);
	test_partition(&ctx, s);
	test_errors(&ctx, s);
	test_names(&ctx, &s);
	cpts_store_free(s);
	unlink(ws);
	cpts_ctx_release(&ctx);
	return done_testing();
}
