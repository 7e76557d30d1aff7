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

/*
 * The status of the connection's last error: CPTS_EINTERNAL for an error of our SQL or
 * of its use (no such table or column, syntax, misuse, bind range), CPTS_ENOMEM,
 * CPTS_ECANCEL (interrupted), else CPTS_EIO (the file: I/O, full, read-only, locked,
 * corrupt, not a database).
 */
int cpts_store__status(sqlite3 *db);

extern const char cpts_store_schema_sql[];
extern const char cpts_store_schema_upgrade_sql[];
extern const char cpts_store_consumption_upgrade_sql[];

#endif
