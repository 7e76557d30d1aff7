/*
 * test_check_real.c - `cpts check` on real geometry: the communes of Pays de la Loire
 * (COG 2024, /work/shared/data/geo) with their 2022 population and a partition made from
 * their EPCI (column epci_siren of communes_cog2024_pop2022.csv), graph built by the
 * graph module. Skipped with a TAP skip when the shared data are absent.
 *
 * Expected values are computed here independently, from the CSV while reading it: the
 * number of communes, of EPCI and the total population, and the communes in no EPCI
 * (L'Île-d'Yeu, 85113, an island commune outside any EPCI) which must come out as the
 * only white zone; no commune is in two EPCI, so there is no overlap, and the
 * territories' populations add up to the covered population.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/check.h"
#include "cpts/graph.h"
#include "cpts/ingest.h"
#include "tap.h"

/* Split a CSV line on commas (no quoted commas in this file's fields we read). */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	f[n++] = p;
	for (; *p && n < max; p++)
		if (*p == ',') {
			*p = '\0';
			f[n++] = p + 1;
		} else if (*p == '\n' || *p == '\r')
			*p = '\0';
	return n;
}

typedef struct expect {
	long n_communes;
	double pop;
	long n_epci;
	long n_no_epci;     /* communes with an empty epci_siren (L'Île-d'Yeu) */
	double pop_no_epci;
	char no_epci[6];
} expect;

/* Population and EPCI partition of region 52, inserted by SQL. */
static int load_pop_epci(cpts_ctx *ctx, cpts_store *s, const char *csv, expect *ex)
{
	FILE *f = fopen(csv, "r");
	char line[1024], *fld[16];
	sqlite3_stmt *pop = NULL, *mem = NULL;
	int rc;

	if (!f)
		return cpts_fail(ctx, CPTS_EIO, "cannot open %s", csv);
	cpts_store_begin(ctx, s);
	cpts_store_exec(ctx, s, "INSERT INTO partitions VALUES('epci','input','epci_siren',NULL,"
			"'2024-01-01')");
	cpts_store_prepare(ctx, s, &pop, "INSERT INTO population VALUES(?, 'T', 'ALL', ?)");
	cpts_store_prepare(ctx, s, &mem, "INSERT INTO partition_members VALUES('epci', ?, ?,"
			   " NULL, 1)");
	while (fgets(line, sizeof(line), f)) {
		/* code_insee,nom,type,zone,dep,reg,arr,epci_siren,population_municipale,... */
		size_t n = split(line, fld, 16);
		if (n < 9 || strcmp(fld[5], "52") != 0 || strcmp(fld[2], "commune-actuelle") != 0)
			continue;
		ex->n_communes++;
		ex->pop += strtod(fld[8], NULL);
		if (!*fld[7]) {
			ex->n_no_epci++;
			ex->pop_no_epci += strtod(fld[8], NULL);
			snprintf(ex->no_epci, sizeof(ex->no_epci), "%s", fld[0]);
		}
		sqlite3_bind_text(pop, 1, fld[0], -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(pop, 2, strtod(fld[8], NULL));
		cpts_store_step_done(ctx, s, pop);
		sqlite3_reset(pop);
		if (!*fld[7])
			continue; /* in no EPCI: a white zone of the EPCI partition */
		sqlite3_bind_text(mem, 1, fld[0], -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(mem, 2, fld[7], -1, SQLITE_TRANSIENT);
		cpts_store_step_done(ctx, s, mem);
		sqlite3_reset(mem);
	}
	fclose(f);
	sqlite3_finalize(pop);
	sqlite3_finalize(mem);
	ex->n_epci = cpts_store_count(s, "SELECT count(DISTINCT territory) FROM partition_members"
				      " WHERE partition = 'epci'", -1);
	rc = ctx->err.code == CPTS_OK ? cpts_store_commit(ctx, s) : ctx->err.code;
	return rc;
}

static int build_graph(cpts_ctx *ctx, cpts_store *s)
{
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	int rc;

	if ((rc = cpts_model_load(ctx, &m, s)) < 0)
		return rc;
	if ((rc = cpts_store_begin(ctx, s)) == CPTS_OK &&
	    (rc = cpts_graph_build(ctx, &g, m, s, NULL)) == CPTS_OK)
		rc = cpts_store_commit(ctx, s);
	else
		cpts_store_rollback(s);
	cpts_graph_free(g);
	cpts_model_free(ctx, m);
	return rc;
}

int main(void)
{
	const char *data = tap_shared_data();
	char geo[4200], csv[4200], ws[] = "/tmp/cpts-check-real-XXXXXX";
	cpts_ingest_communes_opts io = CPTS_INGEST_COMMUNES_OPTS_INIT;
	cpts_check_opts co = CPTS_CHECK_OPTS_INIT;
	cpts_check_report *r = NULL;
	cpts_store *s = NULL;
	cpts_ctx ctx;
	expect ex = { 0, 0, 0, 0, 0, "" };
	double sum = 0;
	size_t n_members = 0, n_pieces_ok = 0;
	int fd;

	if (!data)
		skip_all("real data absent: ../shared/data not found (set CPTS_SHARED)");
	snprintf(geo, sizeof(geo), "%s/geo/communes_r52_pays_de_la_loire_cog2024.geojson", data);
	snprintf(csv, sizeof(csv), "%s/population/communes_cog2024_pop2022.csv", data);
	if (access(geo, R_OK) != 0 || access(csv, R_OK) != 0)
		skip_all("Pays de la Loire geometry or population file missing in shared data");
	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	fd = mkstemp(ws);
	if (fd >= 0)
		close(fd);
	unlink(ws);
	if (cpts_store_open(&ctx, &s, ws, CPTS_STORE_CREATE) < 0 ||
	    cpts_ingest_communes(&ctx, s, geo, &io, NULL) < 0 ||
	    load_pop_epci(&ctx, s, csv, &ex) < 0 || build_graph(&ctx, s) < 0) {
		printf("Bail out! cannot build the workspace: %s\n", ctx.err.msg);
		return 1;
	}
	co.no_compare = true;
	if (cpts_check_run(&ctx, &r, s, "epci", &co) < 0) {
		printf("Bail out! check failed: %s\n", ctx.err.msg);
		return 1;
	}
	/* SOURCES.md: 1,232 communes in region 52 */
	is_int(r->n_communes, 1232, "1,232 communes of Pays de la Loire");
	is_int(ex.n_communes, 1232, "1,232 rows of region 52 in the population file");
	is_int(r->n_terr, ex.n_epci, "one territory per EPCI (%ld)", ex.n_epci);
	is_int(ex.n_no_epci, 1, "one commune of the region in no EPCI");
	is_int(r->n_uncovered, ex.n_no_epci, "it is the only white zone");
	if (r->n_uncovered == 1)
		is_str(r->model->c[r->uncovered[0]].code, ex.no_epci, "white zone %s", ex.no_epci);
	is_int(r->n_overlaps, 0, "no overlap");
	near(r->pop_total, ex.pop, 1e-12, "population of the region as summed from the CSV");
	near(r->pop_covered, ex.pop - ex.pop_no_epci, 1e-12, "covered: all but the white zone");
	ok(r->has_graph, "the contiguity graph is used");
	for (size_t t = 0; t < r->n_terr; t++) {
		sum += r->terr[t].pop;
		n_members += r->terr[t].n_communes;
		n_pieces_ok += r->terr[t].n_pieces >= 1 &&
			       r->terr[t].n_cut < r->terr[t].n_communes &&
			       r->terr[t].pac >= 0.9;
	}
	near(sum, ex.pop - ex.pop_no_epci, 1e-12, "territory populations add up to the covered");
	is_int(n_members, 1231, "territory communes add up to 1,231");
	is_int(n_pieces_ok, r->n_terr, "every territory has pieces, a main piece and PAC >= 0.9");
	cpts_check_report_free(&ctx, r);
	cpts_store_free(s);
	unlink(ws);
	cpts_ctx_release(&ctx);
	return done_testing();
}
