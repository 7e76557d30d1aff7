/*
 * ingest/resolve.h - code resolution of the ingest module (private to src/ingest/):
 * a code of a file -> the communes of the workspace it contributes to (resolve.c).
 */
#ifndef CPTS_INGEST_RESOLVE_H
#define CPTS_INGEST_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpts/ctx.h"
#include "cpts/store.h"
#include "cpts/util.h"

/* How a code reached a commune of the workspace. */
enum cpts_resolve_how {
	CPTS_RESOLVE_DIRECT,  /* the code is a commune of the workspace */
	CPTS_RESOLVE_PASSAGE, /* an old code of the passage table */
	CPTS_RESOLVE_ARM,     /* an arrondissement of a commune of the workspace */
};

typedef struct cpts_target {
	char code[6];             /* commune of the workspace */
	double weight;            /* share of the row's counts (passage split weights) */
	enum cpts_resolve_how how;
} cpts_target;

/* One row of the passage table, chained per old code. */
typedef struct cpts_passage_target {
	char code[6];
	double weight;
	int64_t next; /* index of the next target of the same old code, -1 at the end */
} cpts_passage_target;

/* The communes of a workspace and its passage table. */
typedef struct cpts_resolver {
	cpts_strmap *communes; /* OWNED: code -> 1 */
	unsigned char *known;  /* OWNED, CPTS_CODE_KEYS entries: 1 for the communes by
				  cpts_code_key (the hash map answers for other codes) */
	cpts_strmap *passage;  /* OWNED: old code -> first index in pas */
	cpts_vec pas;          /* cpts_passage_target */
	size_t n_communes;
} cpts_resolver;

#define CPTS_RESOLVE_MAX 16 /* most targets of one code */

void cpts_resolver_init(cpts_resolver *r);
void cpts_resolver_release(cpts_resolver *r);
/** Load the communes and the passage table of a workspace. */
int cpts_resolver_load(cpts_ctx *ctx, cpts_resolver *r, cpts_store *s);
/** True when code is a commune of the workspace. */
bool cpts_resolver_known(const cpts_resolver *r, const char *code);
/** Targets of a well-formed code (0 = unknown); out has room for max. */
size_t cpts_resolve(const cpts_resolver *r, const char *code, cpts_target *out, size_t max);

#endif
