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
};

extern const char cpts_store_schema_sql[];
extern const char cpts_store_schema_upgrade_sql[];
extern const char cpts_store_consumption_upgrade_sql[];

#endif
