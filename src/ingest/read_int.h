/*
 * ingest/read_int.h - the table-driven CSV loader shared by read_tables.c (kinds,
 * columns, cells), load.c (resolution and storage) and read_passage.c. Private to
 * src/ingest/.
 */
#ifndef CPTS_INGEST_READ_INT_H
#define CPTS_INGEST_READ_INT_H

#include <stdatomic.h>

#include "cpts/store.h"
#include "cpts/store_ingest.h"
#include "cpts/store_partition.h"
#include "ingest/flowset.h"
#include "ingest/ingest_int.h"
#include "ingest/resolve.h"

#define CPTS_ALIASES_CODE                                                               \
	"code_commune,code_insee,codgeo,com,code,insee_com,depcom,code_com,codecommune,insee," \
	"commune,code_geo,cog"

enum cpts_col_type {
	CPTS_COL_CODE,  /* commune code, must resolve to a commune (or be skipped) */
	CPTS_COL_DEST,  /* commune code; unknown but well-formed = outside the area */
	CPTS_COL_TEXT,  /* free text (profession, territory, ...) */
	CPTS_COL_SEX,   /* F | M | T */
	CPTS_COL_AGE,   /* 00-04 ... 95+ | ALL */
	CPTS_COL_COUNT, /* non-negative count; masked cells allowed (except population) */
	CPTS_COL_REAL,  /* non-negative value, required */
};

enum cpts_col_flags {
	CPTS_COL_REQUIRED = 1 << 0, /* the file must have it */
	CPTS_COL_KEY = 1 << 1,      /* part of the table's primary key */
	CPTS_COL_SIDE = 1 << 2,     /* read, but not a column of the kind's table (the
				       territory name of a partition, table territory_names) */
	CPTS_COL_WHOLE = 1 << 3,    /* a count of people or acts: a whole number */
};

/* One canonical column of a kind. */
typedef struct cpts_colspec {
	const char *canon;    /* canonical name (DOMAIN.md section 3) */
	const char *aliases;  /* comma-separated accepted names, tried in order */
	enum cpts_col_type type;
	unsigned flags;       /* enum cpts_col_flags */
	double max;           /* above it the value is absurd (0 = no check) */
} cpts_colspec;

/* What a kind stores beyond its columns. */
enum cpts_extra {
	CPTS_X_NONE,
	CPTS_X_MASKED,         /* + masked flag (any masked count) */
	CPTS_X_MASKBITS,       /* + mask bits, bit i for the i-th count (mt) */
	CPTS_X_MASKED_OUTSIDE, /* + masked, outside (flows) */
	CPTS_X_PARTITION,      /* partition name first, weight last */
};

/* One kind of CSV table: its columns, in the order of the columns of its table. */
typedef struct cpts_kindspec {
	const char *name;       /* "population" */
	const char *table;      /* workspace table */
	const cpts_colspec *cols;
	size_t n_cols;
	const char *db_cols;    /* columns of the INSERT, in bind order */
	const char *key_cols;   /* primary key */
	const char *add_set;    /* ON CONFLICT ... DO UPDATE SET: how mapped rows add up */
	enum cpts_extra extra;
} cpts_kindspec;

extern const cpts_kindspec cpts_ingest__kinds[CPTS_TABLE_N_KINDS];

enum cpts_vstate { CPTS_V_ABSENT, CPTS_V_VALUE, CPTS_V_EMPTY, CPTS_V_MASKED };

/* A parsed cell. */
typedef struct cpts_value {
	enum cpts_vstate state;
	char text[1024]; /* codes, sex, age, text (ids, names: longer ones are refused) */
	double num;     /* numbers */
} cpts_value;

#define CPTS_MAX_KIND_COLS 16

/* State of one CSV load (one file into one table). */
typedef struct cpts_loader {
	const cpts_kindspec *kind;
	cpts_table_kind kind_id;
	const cpts_ingest_table_opts *opts; /* BORROWED */
	cpts_csv *csv;                      /* OWNED */
	cpts_store *s;                      /* BORROWED; NULL when only checking */
	int col[CPTS_MAX_KIND_COLS];        /* header index of each canonical column, -1 */
	cpts_value v[CPTS_MAX_KIND_COLS];   /* the current row (its texts bound in vals) */
	char bound_codes[2][6];             /* the resolved codes bound in vals */
	cpts_resolver res;
	cpts_store_tw *tw;                  /* OWNED: the writer of the kind's table */
	cpts_store_val vals[CPTS_MAX_KIND_COLS + 2]; /* the row bound for tw, n_vals */
	size_t n_vals;
	cpts_member_rec *members;           /* OWNED (strings too): partition rows in memory,
					       written whole by cpts_store_partition_write */
	size_t n_members, cap_members;
	cpts_strmap *m_idx;                 /* OWNED: code 0x1f territory -> index in members;
					       NULL but for a partition */
	cpts_flowset *fs;                   /* OWNED: the rows of a flows file, gathered then
					       stored in key order (flowset.h); NULL for the
					       other kinds and when only checking */
	cpts_strmap *state;                 /* OWNED: key -> enum key_state bits (mapped keys) */
	cpts_strmap *seen_raw;              /* OWNED: raw keys of mapped rows (duplicates) */
	unsigned char *stored_code;         /* OWNED (CPTS_CODE_KEYS, by cpts_code_key): first
					       codes of the stored rows, counted without a
					       scan of the table; NULL until the first row */
	long long n_stored_codes;           /* distinct ones; -1 once one had no dense key */
	cpts_strmap *unknown;               /* OWNED: unknown codes -> rows */
	cpts_strmap *arm_idx;               /* OWNED: arrondissement code -> index in arm_* */
	size_t n_arms;
	char arm_code[64][6];               /* arrondissements met (population, partition) */
	double arm_tot[64];                 /* population: their T/ALL rows */
	double arm_det[64];                 /* population: their detailed rows */
	double arm_share[64];               /* partition: share of the commune's population */
	long long n_arm_equal;              /* partition: rows weighted 1/n (no population) */
	char arm_equal_parent[6];           /* the commune of the first of them */
	char first_unknown[16][6];
	size_t n_first_unknown, first_unknown_line;
	long long n_rows, n_unknown_rows, n_arm_dropped, n_outside, n_masked, n_mapped;
	size_t n_repaired;
	char repaired_example[96];
	const char *partition;              /* partition name (OWNED copy in load.c) */
	char *partition_owned;
	/* partition: territory display names, first seen value and its line */
	cpts_strmap *name_idx;              /* OWNED: territory -> index in nm_* */
	char **nm_terr, **nm_nom;           /* OWNED arrays of OWNED strings */
	size_t *nm_line, n_nm;
	const char *nm_file;                /* BORROWED: where the names came from */
	long long n_no_value;               /* partition --from-column: rows without a value */
	long long n_set_aside;              /* rows filtered out (profession, no value) */
	long long n_uncovered;              /* partition: workspace communes in no territory */
	char uncovered[256];                /* the first of them, "85113 L'Île-d'Yeu, ..." */
	cpts_buf key;                       /* scratch */
	char dec;                           /* the file's decimal separator, '\0' while
					       unknown (cpts_ingest__number) */
	atomic_bool *cancel;                /* BORROWED: a prefetch thread's stop flag (no
					       progress reported); NULL on the caller's thread */
	bool fs_in_table;                   /* flows: fs's rows are in the table already,
					       committed by the read-ahead's connection */
} cpts_loader;

int cpts_ingest__match_columns(cpts_ctx *ctx, const cpts_csv *c, const cpts_kindspec *k,
			       const cpts_ingest_table_opts *o, int *col);
/** Parse the values (numbers) of the current row, once its codes are resolved. */
int cpts_ingest__parse_cells(cpts_ctx *ctx, cpts_loader *L, char **f, bool numbers);
/** Parse the keys of the current row into L->v: CPTS_OK, 1 when filtered out, or an
 * error. */
int cpts_ingest__row(cpts_ctx *ctx, cpts_loader *L, char **f);
/** Index of the header column named want (names normalised), or -1. */
int cpts_ingest__find_header(const cpts_csv *c, const char *want);
int cpts_ingest__cell_error(cpts_ctx *ctx, const cpts_csv *c, const char *col,
			    const char *value, const char *what);
/** Load a passage table (read_passage.c). */
int cpts_ingest__passage(cpts_ctx *ctx, cpts_store *s, const char *path,
			 const cpts_ingest_table_opts *opts, cpts_csv *csv, long long *n_rows,
			 bool check_only);

#endif
