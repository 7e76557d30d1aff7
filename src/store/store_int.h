/*
 * store_int.h - shared by the files of src/store/.
 */
#ifndef CPTS_STORE_INT_H
#define CPTS_STORE_INT_H

#include "cpts/store.h"

struct cpts_store {
	sqlite3 *db;        /* OWNED */
	void *spl_cache;    /* OWNED SpatiaLite connection cache */
	char *path;         /* OWNED */
	int in_tx;          /* a transaction is open */
	unsigned stats_dirty;       /* stats.c: tables written since their counts were kept */
	int stats_known;            /* stats.c: 1 table_stats exists, -1 not, 0 not looked */
	long long flows_rows_tx;    /* stats.c: flow rows written in this transaction */
	long long flows_masked_tx;  /* ... of which masked */
};

/*
 * The status of the connection's last error: CPTS_EINTERNAL for an error of our SQL or
 * of its use (no such table or column, syntax, misuse, bind range), CPTS_ENOMEM,
 * CPTS_ECANCEL (interrupted), else CPTS_EIO (the file: I/O, full, read-only, locked,
 * corrupt, not a database).
 */
int cpts_store__status(sqlite3 *db);

/* Rows written CPTS_STORE_ROW_BATCH per INSERT statement ("head" is "INSERT INTO t(a, b)"):
 * one statement per row spent most of a 35,000-row write in preparing the step of
 * each (issue 13: basins plurality, partition members and basin_communes). bind()
 * binds row i from parameter first on (first, first + 1, ... first + n_cols - 1). */
#define CPTS_STORE_ROW_BATCH 64
typedef void (*cpts_store__bind_row)(sqlite3_stmt *st, int first, size_t i, void *arg);
int cpts_store__insert_rows(cpts_ctx *ctx, cpts_store *s, const char *head, int n_cols,
			    size_t n, cpts_store__bind_row bind, void *arg);

/* A table `cpts info` describes (stats.c): its commune code column (NULL: none) and the
 * SQL condition of its masked rows (NULL: none). */
typedef struct {
	const char *name;
	const char *code_col;
	const char *masked;
	const char *label;
} cpts_store_tbl;

extern const cpts_store_tbl cpts_store__tables[]; /* NULL-name ended */

/* stats.c: the counts of table_stats, kept by the transactions that write the tables.
 * Raw SQLite below store.c (which calls it from open and commit): the functions that
 * read return SQLITE_OK (or SQLITE_ROW / SQLITE_DONE where said) or the error code of
 * the connection, which the caller reports with cpts_store_fail. */
void cpts_store__stats_attach(cpts_store *s);
void cpts_store__stats_tx_reset(cpts_store *s);
void cpts_store__stats_rolled_back(cpts_store *s);
void cpts_store__flows_written(cpts_store *s, long long rows, long long masked);
/* Table name counts as written by the current transaction (recounted at its commit). */
void cpts_store__stats_mark(cpts_store *s, const char *name);
int cpts_store__stats_commit(cpts_store *s);
/* Rows, communes covered (-1: no code column) and masked rows of t, counted now. */
int cpts_store__stats_count(cpts_store *s, const cpts_store_tbl *t, long long *rows,
			    long long *n_com, long long *masked);
/* The kept counts of t: SQLITE_ROW found (and current), SQLITE_DONE none. */
int cpts_store__stats_get(cpts_store *s, const cpts_store_tbl *t, long long *rows,
			  long long *n_com, long long *masked);

extern const char cpts_store_schema_sql[];
extern const char cpts_store_schema_upgrade_sql[];
extern const char cpts_store_consumption_upgrade_sql[];

#endif
