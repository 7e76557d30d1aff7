/*
 * cpts/store_profile.h - the workspace side of the indicator engine: the rows of
 * `cpts ingest indicators` (table indicator_data, src/store/profile_io.c). The profile
 * module reads them through here, so it speaks no SQL for them.
 *
 * It also reads the other inputs of a profile (population, consumption, reference, mt,
 * supply, the DENS attribute, traveltime) as plain cells handed to a callback, and
 * writes profile_values, so that src/profile/ holds no SQL at all (issue 13).
 *
 * Table indicator_data(indicator, code, sex, age, year, num, den, masked): one row per
 * cell of the long file; sex 'T' and age 'ALL' when the file has no such column, year
 * 0 without `annee`; num NULL and masked 1 for a masked cell ("<11", "s", "NS"); den
 * NULL when not given. Created on first ingest (CREATE TABLE IF NOT EXISTS), so older
 * workspaces open unchanged.
 */
#ifndef CPTS_STORE_PROFILE_H
#define CPTS_STORE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One cell of an indicators file. */
typedef struct cpts_indrow {
	char indicator[64];
	char code[8];
	char sex[2];    /* F, M or T */
	char age[12];   /* "00-04", "75+", "ALL" */
	int year;       /* 0 when not given */
	double num;     /* NAN when masked */
	double den;     /* NAN when not given */
	bool masked;
} cpts_indrow;

/**
 * Replace the rows of the indicators named in rows (other indicators stay) in one
 * transaction of the caller.
 */
int cpts_store_indicator_data_put(cpts_ctx *ctx, cpts_store *s, const cpts_indrow *rows,
				  size_t n);

/** Called with each stored row (BORROWED, valid during the call); < 0 stops. */
typedef int (*cpts_store_indrow_fn)(void *arg, const cpts_indrow *r);

/**
 * Every stored row (nothing when the table is absent), sorted by indicator, code, sex,
 * age, year, handed to a callback one at a time (France holds millions: none is kept),
 * in two halves read at once: those whose code sorts before split
 * (BORROWED) go to fn_lo in the calling thread, the others to fn_hi in a second thread
 * on a read-only connection of its own (France: the 5 million rows of 20 indicators
 * took 3 s of one core); each half in the order above. Without a second connection
 * or thread, the calling thread reads the lower half, then the upper one. fn_lo and
 * fn_hi may run at the same time: they must not share what they write.
 * @return CPTS_OK, a callback's error, or a store error
 */
int cpts_store_indicator_data_halves(cpts_ctx *ctx, cpts_store *s, const char *split,
				     cpts_store_indrow_fn fn_lo, void *arg_lo,
				     cpts_store_indrow_fn fn_hi, void *arg_hi);

/* ---- the other inputs of a profile (src/profile/load.c, rates.c) ---- */

/** Which input to read (each is one SELECT of store/profile_io.c). */
typedef enum cpts_store_pin {
	CPTS_PIN_POPULATION_AGES,  /* age: distinct bands of population (not ALL), sorted */
	CPTS_PIN_CONSUMPTION_AGES, /* age: distinct bands of consumption (not ALL), sorted */
	CPTS_PIN_POPULATION,       /* code, sex, age, v[0] pop */
	CPTS_PIN_CONSUMPTION,      /* code, sex, age, v[0] actes, flag masked */
	CPTS_PIN_REFERENCE,        /* sex, age, v[0] rate */
	CPTS_PIN_MT,               /* code, v[0..9] the 10 mt columns, flag the mask bits */
	CPTS_PIN_SUPPLY,           /* code, text profession, v[0] effectif, v[1] etp, v[2] age_60p */
	CPTS_PIN_DENS,             /* code, text the value of attribute DENS */
	CPTS_PIN_TRAVELTIME,       /* code origin, text destination, v[0] minutes */
} cpts_store_pin;

/** One row of an input; strings BORROWED until the callback returns (NULL when SQL
 * NULL or not part of that input). */
typedef struct cpts_store_cell {
	const char *code, *sex, *age, *text;
	double v[10];      /* 0 for SQL NULL (as sqlite3_column_double), see v_null */
	unsigned v_null;   /* bit j: v[j] was SQL NULL */
	int flag;          /* consumption: masked; mt: mask */
} cpts_store_cell;

typedef int (*cpts_store_cell_fn)(void *arg, const cpts_store_cell *c);

/**
 * Call fn on every row of an input, in the table's order; stops at the first negative
 * return of fn (returned).
 * @return CPTS_OK; CPTS_EINTERNAL on a database error (reported; never read as the end)
 */
int cpts_store_profile_each(cpts_ctx *ctx, cpts_store *s, cpts_store_pin what,
			    cpts_store_cell_fn fn, void *arg);

/** Sex/age levels present in consumption: bit 0 sex F/M/H by age band, bit 1 sex T by
 * age band, bit 2 sex T age ALL. */
unsigned cpts_store_consumption_levels(cpts_store *s);
/** Rows of the reference table, of the traveltime table (0 when absent). */
long long cpts_store_reference_count(cpts_store *s);
long long cpts_store_traveltime_count(cpts_store *s);

/* ---- profile_values (src/profile/profile.c) ---- */

/** One value of a profile, as stored. */
typedef struct cpts_store_pvrow {
	const char *level, *code; /* BORROWED: literals or strings of the model/partition */
	char ind[40];             /* indicator key */
	double v, lo, hi;         /* NAN stored as NULL */
	bool masked;
} cpts_store_pvrow;

typedef struct cpts_store_pvwriter cpts_store_pvwriter; /* opaque (profile_io.c) */

/**
 * A writer of the values of partition (BORROWED, must outlive it), inside the caller's
 * transaction; it also enlarges the page cache (a million rows go into one WITHOUT ROWID
 * table) until cpts_store_pvwriter_free.
 * @param[out] out OWNED by caller (cpts_store_pvwriter_free)
 */
int cpts_store_pvwriter_open(cpts_ctx *ctx, cpts_store *s, cpts_store_pvwriter **out,
			     const char *partition);
/** Delete the stored values of one territory (NULL: of every territory). */
int cpts_store_pvwriter_clear(cpts_ctx *ctx, cpts_store_pvwriter *w, const char *territory);
/** Insert (or replace) n rows of territory, in the given order. */
int cpts_store_pvwriter_put(cpts_ctx *ctx, cpts_store_pvwriter *w, const char *territory,
			    const cpts_store_pvrow *rows, size_t n);
/** Finalize and restore the page cache; NULL-safe. */
void cpts_store_pvwriter_free(cpts_store_pvwriter *w);

#ifdef __cplusplus
}
#endif
#endif
