/*
 * schema.c - the workspace schema, version CPTS_SCHEMA_VERSION (documented table by
 * table in cpts/store.h). Created in one transaction with the SpatiaLite metadata.
 */
#include "store/store_int.h"

/* co-assignment of each commune with its pôle over resampled flows (basins --resample);
 * dropped with its partition (deps.c) */
#define CPTS_BASIN_STABILITY_DDL                                                        \
	"CREATE TABLE IF NOT EXISTS basin_stability(partition TEXT NOT NULL,"          \
	" code TEXT NOT NULL, coassign REAL NOT NULL, resamples INTEGER NOT NULL,"      \
	" PRIMARY KEY(partition, code)) WITHOUT ROWID;\n"

/* Display names of territories (the `nom` column of a partition file, or --names /
 * --name-column of `cpts ingest partition --from-column`): one per territory. */
#define CPTS_TERRITORY_NAMES_DDL                                                        \
	"CREATE TABLE IF NOT EXISTS territory_names(partition TEXT NOT NULL,"           \
	" territory TEXT NOT NULL, nom TEXT NOT NULL, PRIMARY KEY(partition, territory))" \
	" WITHOUT ROWID;\n"

/* The publication ledger (cpts/store_ledger.h, issue 19): what each export published. */
#define CPTS_LEDGER_DDL                                                                 \
	"CREATE TABLE IF NOT EXISTS publications(id INTEGER PRIMARY KEY,"               \
	" partition TEXT NOT NULL, what TEXT, published_at TEXT);\n"                    \
	"CREATE TABLE IF NOT EXISTS publication_values(pub INTEGER NOT NULL,"           \
	" level TEXT NOT NULL, code TEXT NOT NULL, indicator TEXT NOT NULL, value REAL," \
	" PRIMARY KEY(pub, level, code, indicator)) WITHOUT ROWID;\n"                   \
	"CREATE TABLE IF NOT EXISTS publication_members(pub INTEGER NOT NULL,"          \
	" territory TEXT NOT NULL, code TEXT NOT NULL, PRIMARY KEY(pub, territory, code))" \
	" WITHOUT ROWID;\n"

/* Rows, communes covered and masked rows of the input tables, kept by the transaction
 * that writes them (stats.c): `cpts info` reads them instead of scanning 5 M flows. */
#define CPTS_TABLE_STATS_DDL                                                            \
	"CREATE TABLE IF NOT EXISTS table_stats(tbl TEXT PRIMARY KEY, version INTEGER NOT NULL," \
	" n_rows INTEGER NOT NULL, n_communes INTEGER, n_masked INTEGER NOT NULL);\n"

const char cpts_store_schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);\n"
	"CREATE TABLE sources(tbl TEXT PRIMARY KEY, file TEXT, sha256 TEXT, n_rows INTEGER,"
	" n_communes INTEGER, n_masked INTEGER, vintage TEXT, ingested_at TEXT, options TEXT);\n"
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, command TEXT, args TEXT, started TEXT,"
	" finished TEXT, status INTEGER, cpts_version TEXT);\n"
	"CREATE TABLE communes(code TEXT PRIMARY KEY, name TEXT NOT NULL, dep TEXT NOT NULL,"
	" reg TEXT, parent TEXT, srid INTEGER NOT NULL, area_km2 REAL, perimeter_km REAL,"
	" px REAL, py REAL, lon REAL, lat REAL, geom BLOB);\n"
	/* covering index: loading the model never reads the geometry pages */
	"CREATE INDEX communes_attr ON communes(code, name, dep, reg, parent, srid, area_km2,"
	" perimeter_km, px, py, lon, lat);\n"
	"CREATE TABLE population(code TEXT NOT NULL, sex TEXT NOT NULL, age TEXT NOT NULL,"
	" pop REAL NOT NULL, PRIMARY KEY(code, sex, age)) WITHOUT ROWID;\n"
	"CREATE TABLE population_total(code TEXT PRIMARY KEY, pop REAL NOT NULL) WITHOUT ROWID;\n"
	/* profession: '' for GPs (the builtin ICC), else the profession's label as given
	 * (issue 14: ICC per profession, src/profile/generic.c) */
	"CREATE TABLE consumption(code TEXT NOT NULL, sex TEXT NOT NULL, age TEXT NOT NULL,"
	" actes REAL, masked INTEGER NOT NULL DEFAULT 0, profession TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY(code, profession, sex, age)) WITHOUT ROWID;\n"
	"CREATE TABLE reference(sex TEXT NOT NULL, age TEXT NOT NULL, rate REAL NOT NULL,"
	" PRIMARY KEY(sex, age));\n"
	"CREATE TABLE mt(code TEXT PRIMARY KEY, patients REAL, sans_mt REAL,"
	" sans_mt_mt_parti REAL, sans_mt_fictif REAL, ald REAL, ald_sans_mt REAL, c2s REAL,"
	" c2s_sans_mt REAL, p70 REAL, p70_sans_mt REAL, mask INTEGER NOT NULL DEFAULT 0);\n"
	"CREATE TABLE supply(code TEXT NOT NULL, profession TEXT NOT NULL, effectif REAL,"
	" etp REAL, age_60p REAL, PRIMARY KEY(code, profession)) WITHOUT ROWID;\n"
	"CREATE TABLE flows(orig TEXT NOT NULL, dest TEXT NOT NULL, profession TEXT NOT NULL"
	" DEFAULT '', volume REAL, masked INTEGER NOT NULL DEFAULT 0, outside INTEGER NOT NULL"
	" DEFAULT 0, PRIMARY KEY(orig, dest, profession)) WITHOUT ROWID;\n"
	"CREATE TABLE flow_matrix(profession TEXT PRIMARY KEY, n_communes INTEGER,"
	" data BLOB);\n"
	"CREATE TABLE traveltime(orig TEXT NOT NULL, dest TEXT NOT NULL, minutes REAL NOT NULL,"
	" PRIMARY KEY(orig, dest)) WITHOUT ROWID;\n"
	"CREATE TABLE attributes(code TEXT NOT NULL, name TEXT NOT NULL, value TEXT,"
	" PRIMARY KEY(code, name)) WITHOUT ROWID;\n"
	"CREATE TABLE passage(old_code TEXT NOT NULL, new_code TEXT NOT NULL,"
	" weight REAL NOT NULL DEFAULT 1, PRIMARY KEY(old_code, new_code));\n"
	"CREATE TABLE partitions(name TEXT PRIMARY KEY, kind TEXT NOT NULL, source TEXT,"
	" params TEXT, created TEXT);\n"
	"CREATE TABLE partition_members(partition TEXT NOT NULL, code TEXT NOT NULL,"
	" territory TEXT NOT NULL, statut TEXT, weight REAL NOT NULL DEFAULT 1,"
	" PRIMARY KEY(partition, code, territory)) WITHOUT ROWID;\n"
	/* no key: written whole by each build in (a, b) order, always read whole; a keyed
	 * table doubled the cost of storing France's 103,000 edges (issue 8) */
	"CREATE TABLE graph_edges(a TEXT NOT NULL, b TEXT NOT NULL, kind INTEGER NOT NULL,"
	" shared_km REAL);\n"
	"CREATE TABLE basin_communes(partition TEXT NOT NULL, code TEXT NOT NULL,"
	" class INTEGER, first_terr TEXT, first_share REAL, second_terr TEXT,"
	" second_share REAL, own_share REAL, PRIMARY KEY(partition, code)) WITHOUT ROWID;\n"
	"CREATE TABLE basin_metrics(partition TEXT NOT NULL, territory TEXT NOT NULL, pop REAL,"
	" n_communes INTEGER, pole TEXT, li REAL, msi REAL, pac REAL, tier INTEGER,"
	" PRIMARY KEY(partition, territory)) WITHOUT ROWID;\n"
	"CREATE TABLE profile_values(partition TEXT NOT NULL, territory TEXT NOT NULL,"
	" level TEXT NOT NULL, level_code TEXT NOT NULL, indicator TEXT NOT NULL, value REAL,"
	" lo REAL, hi REAL, masked INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(partition, territory, level, level_code, indicator)) WITHOUT ROWID;\n"
	/* deps.c: input versions and the provenance of derived results (also created on
	 * first write in workspaces made before them) */
	"CREATE TABLE versions(name TEXT PRIMARY KEY, version INTEGER NOT NULL,"
	" replaced_at TEXT);\n"
	"CREATE TABLE derived(name TEXT PRIMARY KEY, inputs TEXT NOT NULL, params TEXT,"
	" computed_at TEXT);\n"
	CPTS_BASIN_STABILITY_DDL
	CPTS_TERRITORY_NAMES_DDL
	CPTS_LEDGER_DDL
	CPTS_TABLE_STATS_DDL;

/* Tables added after schema version 1 was released: created at open when a writable
 * workspace made by an older cpts lacks them (store.c, cpts_store_open). */
const char cpts_store_schema_upgrade_sql[] =
	CPTS_BASIN_STABILITY_DDL CPTS_TERRITORY_NAMES_DDL
	CPTS_LEDGER_DDL
	CPTS_TABLE_STATS_DDL;

/* Workspaces made before the consumption table had its profession column (issue 14):
 * the table rebuilt with it, every row a GP row (store.c, cpts_store_open). */
const char cpts_store_consumption_upgrade_sql[] =
	"ALTER TABLE consumption RENAME TO consumption_v1;\n"
	"CREATE TABLE consumption(code TEXT NOT NULL, sex TEXT NOT NULL, age TEXT NOT NULL,"
	" actes REAL, masked INTEGER NOT NULL DEFAULT 0, profession TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY(code, profession, sex, age)) WITHOUT ROWID;\n"
	"INSERT INTO consumption(code, sex, age, actes, masked) SELECT code, sex, age, actes,"
	" masked FROM consumption_v1;\n"
	"DROP TABLE consumption_v1;\n";
