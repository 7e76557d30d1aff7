/*
 * cpts/store_profile.h - the workspace side of the indicator engine: the rows of
 * `cpts ingest indicators` (table indicator_data, src/store/profile_io.c). The profile
 * module reads them through here, so it speaks no SQL for them.
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

/**
 * Every stored row, sorted by indicator, code, sex, age, year.
 * @param[out] out OWNED by caller (free); NULL with *n 0 when the table is absent
 */
int cpts_store_indicator_data_load(cpts_ctx *ctx, cpts_store *s, cpts_indrow **out,
				   size_t *n);

#ifdef __cplusplus
}
#endif
#endif
