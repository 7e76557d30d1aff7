/*
 * test_partition_writer.c - the one partition writer (issue 13): cpts_store_partition_write
 * itself, then the partitions `cpts ingest partition` and `cpts move` make through it,
 * on the 7 communes of tests/data/ingest/communes.geojson. Expected rows are written
 * out by hand next to each assertion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/ctx.h"
#include "cpts/ingest.h"
#include "cpts/store.h"
#include "cpts/store_check.h"
#include "cpts/store_partition.h"
#include "tap.h"

/* The rows of a query joined as "a|b|c;a|b|c" (NULL as "~"), into a static buffer. */
static const char *rows(cpts_store *s, const char *sql)
{
	static char out[4096];
	sqlite3_stmt *st = NULL;
	size_t len = 0;

	out[0] = '\0';
	if (sqlite3_prepare_v2(cpts_store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return "(bad query)";
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const char *v = (const char *)sqlite3_column_text(st, c);
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
						c ? "|" : len ? ";" : "", v ? v : "~");
		}
	}
	sqlite3_finalize(st);
	return out;
}

static int write_tx(cpts_ctx *ctx, cpts_store *s, const cpts_partition_rec *p)
{
	int rc;

	cpts_error_clear(ctx);
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	if ((rc = cpts_store_partition_write(ctx, s, p)) < 0) {
		cpts_store_rollback(s);
		return rc;
	}
	return cpts_store_commit(ctx, s);
}

int main(void)
{
	cpts_ctx ctx;
	cpts_store *s = NULL;
	char ws[128], geo[4096], csv[128];
	const char *src = getenv("CPTS_SRC");
	const cpts_member_rec m1[] = {
		{ "44109", "A", "pole", 1 }, { "44020", "A", NULL, 1 },
		{ "44190", "B", "b2", 1 }, { "49007", "B", "b1", 1 }, { "13055", "B", NULL, 0.5 },
	};
	const char *terr[] = { "A", "B", "C" }, *nom[] = { "Nantes", "Angers", "Vide" };
	cpts_partition_rec p = { "p", "input", "src.csv", NULL, m1, 5, terr, nom, 3 };
	const cpts_member_rec dup[] = { { "44109", "A", NULL, 1 }, { "44109", "A", NULL, 1 } };
	const char *moved[] = { "44020" };
	FILE *f;

	if (!src)
		skip_all("CPTS_SRC is not set (run through meson test)");
	snprintf(geo, sizeof(geo), "%s/tests/data/ingest/communes.geojson", src);
	snprintf(ws, sizeof(ws), "/tmp/cpts_test_partition_writer_%d.sqlite", (int)getpid());
	snprintf(csv, sizeof(csv), "/tmp/cpts_test_partition_writer_%d.csv", (int)getpid());
	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	unlink(ws);
	if (cpts_store_open(&ctx, &s, ws, CPTS_STORE_CREATE) < 0 ||
	    cpts_ingest_communes(&ctx, s, geo, NULL, NULL) < 0) {
		printf("Bail out! %s\n", ctx.err.msg);
		return 1;
	}

	/* the writer itself */
	is_int(write_tx(&ctx, s, &p), CPTS_OK, "a partition is written");
	is_str(rows(s, "SELECT code, territory, statut, weight FROM partition_members WHERE"
		    " partition = 'p' ORDER BY code"),
	       "13055|B|~|0.5;44020|A|~|1.0;44109|A|pole|1.0;44190|B|b2|1.0;49007|B|b1|1.0",
	       "members with statut (NULL kept) and weight");
	is_str(rows(s, "SELECT territory, nom FROM territory_names WHERE partition = 'p'"
		    " ORDER BY territory"), "A|Nantes;B|Angers",
	       "names kept for the territories that have members (C has none)");
	is_str(rows(s, "SELECT kind, source, params FROM partitions WHERE name = 'p'"),
	       "input|src.csv|~", "record: kind, source, no params");
	is_str(rows(s, "SELECT version > 0 FROM versions WHERE name = 'partition:p'"), "1",
	       "the partition has a version");
	{
		char v1[32];
		snprintf(v1, sizeof(v1), "%s", rows(s, "SELECT version FROM versions WHERE name ="
						     " 'partition:p'"));
		p.n_members = 2;
		p.n_names = 0;
		is_int(write_tx(&ctx, s, &p), CPTS_OK, "written again with 2 members");
		is_str(rows(s, "SELECT code FROM partition_members WHERE partition = 'p' ORDER BY"
			    " code"), "44020;44109", "the old members are gone");
		is_str(rows(s, "SELECT count(*) FROM territory_names WHERE partition = 'p'"), "0",
		       "the old names are gone");
		ok(strtol(rows(s, "SELECT version FROM versions WHERE name = 'partition:p'"), NULL,
			  10) > strtol(v1, NULL, 10),
		   "replacing bumps the version (what was derived from it goes stale)");
	}
	p.members = dup;
	is_int(write_tx(&ctx, s, &p), CPTS_EINPUT, "a repeated (code, territory) is refused");
	is_str(rows(s, "SELECT code FROM partition_members WHERE partition = 'p' ORDER BY code"),
	       "44020;44109", "and the transaction left the partition as it was");

	/* move: a copy of p5 where 44020 goes wholly to B, statut the smallest of B's */
	p.members = m1;
	p.n_members = 5;
	p.n_names = 3;
	p.name = "p5";
	is_int(write_tx(&ctx, s, &p), CPTS_OK, "p5 written");
	cpts_error_clear(&ctx);
	if (cpts_store_begin(&ctx, s) == CPTS_OK) {
		int rc = cpts_store_partition_move(&ctx, s, "p5", "q", moved, 1, "B");
		is_int(rc, CPTS_OK, "move 44020 to B as q");
		if (rc == CPTS_OK)
			cpts_store_commit(&ctx, s);
		else
			cpts_store_rollback(s);
	}
	is_str(rows(s, "SELECT code, territory, statut, weight FROM partition_members WHERE"
		    " partition = 'q' ORDER BY code"),
	       "13055|B|~|0.5;44020|B|b1|1.0;44109|A|pole|1.0;44190|B|b2|1.0;49007|B|b1|1.0",
	       "q: p5's members, 44020 in B with statut b1 (min of b2, b1; NULL aside)");
	is_str(rows(s, "SELECT territory, nom FROM territory_names WHERE partition = 'q'"
		    " ORDER BY territory"), "A|Nantes;B|Angers", "q keeps p5's names");
	is_str(rows(s, "SELECT kind, source, params FROM partitions WHERE name = 'q'"),
	       "move|p5|to=B;communes=44020", "q recorded as a move of p5");

	/* ingest: the same writer, rows as read (weights of a repeated commune add up) */
	f = fopen(csv, "w");
	fprintf(f, "code_commune;territoire;statut;nom\n44109;T1;pole;Nantes\n44020;T1;;Nantes\n"
		   "44190;T2;x;Loire\n");
	fclose(f);
	cpts_error_clear(&ctx);
	{
		cpts_ingest_table_opts o = CPTS_INGEST_TABLE_OPTS_INIT;
		o.name = "ing";
		is_int(cpts_ingest_table(&ctx, s, CPTS_TABLE_PARTITION, csv, &o), CPTS_OK,
		       "ingest partition");
	}
	is_str(rows(s, "SELECT code, territory, statut, weight FROM partition_members WHERE"
		    " partition = 'ing' ORDER BY code"),
	       "44020|T1|~|1.0;44109|T1|pole|1.0;44190|T2|x|1.0", "ingested members");
	is_str(rows(s, "SELECT territory, nom FROM territory_names WHERE partition = 'ing'"
		    " ORDER BY territory"), "T1|Nantes;T2|Loire", "ingested names");
	ok(strcmp(rows(s, "SELECT kind FROM partitions WHERE name = 'ing'"), "input") == 0 &&
	   strcmp(rows(s, "SELECT source FROM partitions WHERE name = 'ing'"), csv) == 0,
	   "recorded as input from the file");
	is_str(rows(s, "SELECT n_communes FROM sources WHERE tbl = 'partition:ing'"), "3",
	       "sources: 3 communes");

	/* many members: written CPTS_STORE_ROW_BATCH (64) rows per statement, the rest one
	   by one; every row, NULL statut and weight as given, whatever batch it fell in */
	{
		enum { NB = 150 };
		static cpts_member_rec big[NB];
		static char codes[NB][8], terrs[NB][8];
		char expect[64];
		double wsum = 0;
		size_t n_null = 0;
		cpts_partition_rec pb = { "big", "input", NULL, NULL, big, NB, NULL, NULL, 0 };

		for (size_t i = 0; i < NB; i++) {
			snprintf(codes[i], sizeof(codes[i]), "X%03zu", i);
			snprintf(terrs[i], sizeof(terrs[i]), "T%zu", i % 7);
			big[i] = (cpts_member_rec){ codes[i], terrs[i], i % 3 ? "s" : NULL,
						    (double)(i % 4 + 1) / 4 };
			wsum += big[i].weight;
			n_null += big[i].statut == NULL;
		}
		is_int(write_tx(&ctx, s, &pb), CPTS_OK, "150 members are written");
		snprintf(expect, sizeof(expect), "%d|%zu|%g|X000|X063|X064|X149", NB, n_null, wsum);
		is_str(rows(s, "SELECT count(*), sum(statut IS NULL), sum(weight),"
			    " min(code), (SELECT code FROM partition_members WHERE partition = 'big'"
			    " AND code = 'X063' AND territory = 'T0' AND statut IS NULL AND weight ="
			    " 1.0), (SELECT code FROM partition_members WHERE partition = 'big' AND"
			    " code = 'X064' AND territory = 'T1' AND statut = 's' AND weight ="
			    " 0.25), max(code) FROM partition_members WHERE partition = 'big'"),
		       expect, "every row of the three batches and the tail, values in place");
		/* a duplicate in the second batch: refused as bad input, nothing of it kept */
		big[100] = big[99];
		is_int(write_tx(&ctx, s, &pb), CPTS_EINPUT, "a duplicate member in a batch is refused");
		is_str(rows(s, "SELECT count(*) FROM partition_members WHERE partition = 'big'"),
		       "150", "the partition written before stays whole");
	}

	cpts_store_free(s);
	unlink(ws);
	unlink(csv);
	cpts_ctx_release(&ctx);
	return done_testing();
}
