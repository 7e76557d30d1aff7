/*
 * disclosure_int.h - the publication ledger as disclosure control reads it
 * (disclosure_ledger.c loads it, disclosure.c turns it into linear relations).
 */
#ifndef CPTS_DISCLOSURE_INT_H
#define CPTS_DISCLOSURE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cpts/profile.h"
#include "cpts/util.h"

/** One published territory of the ledger: its communes and its published counts. */
typedef struct dl_terr {
	int64_t pub;
	char *partition, *what, *territory; /* OWNED */
	cpts_vec codes;   /* char *, OWNED: its communes, sorted */
	cpts_vec inds;    /* char *, OWNED: indicators published ... */
	cpts_vec values;  /* double: ... with these values */
} dl_terr;

/** One published commune count of the ledger (code "level|code" for a département,
 * region or the whole area: dl_is_area). */
typedef struct dl_com {
	char *code, *indicator; /* OWNED */
	double value;
} dl_com;

typedef struct dl_ledger {
	cpts_vec terrs; /* dl_terr */
	cpts_vec coms;  /* dl_com */
} dl_ledger;

/** Load the ledger of the workspace (empty when none). */
int dl_ledger_load(cpts_ctx *ctx, cpts_store *s, dl_ledger *out);
void dl_ledger_release(dl_ledger *l);
/** A département, region or the whole area (a level the same in every partition)? */
bool dl_is_area(const char *level);
/** The sorted codes of a commune set joined by ',' (OWNED): a set's signature. */
char *dl_signature(const cpts_vec *sorted_codes);

#endif
