/*
 * session.c - one command's workspace session (cpts/session.h): the store and the data
 * read from it, each loaded on first use and kept until invalidated or freed.
 *
 * The rows of table flows are held only when a stage hands them over (`diagnose`, from
 * its ingest): the flow matrices are then built from them, and the export reads its
 * pairs from them, instead of reading millions of rows back from the table.
 *
 * A concept of its own, above src/store (the loaders of the model and partitions) and
 * src/graph (the graph and flow loaders): it depends on both, neither on it. It speaks
 * no SQL itself.
 */
#include <stdlib.h>
#include <string.h>

#include "cpts/session.h"
#include "cpts/util.h"

/* A cached flow matrix of one profession ("" = all), and its transpose once asked. */
typedef struct flows_entry {
	char *profession; /* OWNED; NULL = all professions */
	cpts_flows *f;    /* OWNED */
	cpts_flows *ft;   /* OWNED; NULL until asked */
} flows_entry;

struct cpts_session {
	cpts_store *s;            /* OWNED unless borrowed */
	bool borrowed;            /* cpts_session_borrow: s is the caller's */
	cpts_model *m;            /* OWNED; NULL until asked */
	bool geoms;               /* m's geometries are loaded */
	cpts_partition **parts;   /* OWNED, n_parts of them, by name */
	size_t n_parts;
	cpts_graph *g;            /* OWNED; NULL until asked */
	flows_entry *flows;       /* OWNED, n_flows of them */
	size_t n_flows;
	cpts_flow_rows *rows;     /* OWNED: the flows table's rows when handed over, else NULL */
};

cpts_session *cpts_session_new(cpts_store *s)
{
	cpts_session *ss = cpts_calloc(1, sizeof(*ss));

	ss->s = s;
	return ss;
}

cpts_session *cpts_session_borrow(cpts_store *s)
{
	cpts_session *ss = cpts_session_new(s);

	ss->borrowed = true;
	return ss;
}

cpts_store *cpts_session_store(cpts_session *ss)
{
	return ss->s;
}

void cpts_session_set_store(cpts_session *ss, cpts_store *s)
{
	if (ss->s != s && !ss->borrowed)
		cpts_store_free(ss->s);
	ss->s = s;
	ss->borrowed = false;
}

static void drop_flows(cpts_session *ss)
{
	for (size_t i = 0; i < ss->n_flows; i++) {
		free(ss->flows[i].profession);
		cpts_flows_free(ss->flows[i].f);
		cpts_flows_free(ss->flows[i].ft);
	}
	free(ss->flows);
	ss->flows = NULL;
	ss->n_flows = 0;
}

static void drop_parts(cpts_session *ss)
{
	for (size_t i = 0; i < ss->n_parts; i++)
		cpts_partition_free(ss->parts[i]);
	free(ss->parts);
	ss->parts = NULL;
	ss->n_parts = 0;
}

void cpts_session_invalidate(cpts_ctx *ctx, cpts_session *ss, cpts_session_entry e,
			     const char *name)
{
	switch (e) {
	case CPTS_SESSION_MODEL: /* every entry is indexed by the model's communes */
		drop_flows(ss);
		drop_parts(ss);
		cpts_graph_free(ss->g);
		ss->g = NULL;
		cpts_model_free(ctx, ss->m);
		ss->m = NULL;
		ss->geoms = false;
		break;
	case CPTS_SESSION_PARTITION:
		for (size_t i = 0; i < ss->n_parts; i++)
			if (name && strcmp(ss->parts[i]->name, name) == 0) {
				cpts_partition_free(ss->parts[i]);
				ss->parts[i] = ss->parts[--ss->n_parts];
				break;
			}
		break;
	case CPTS_SESSION_GRAPH:
		cpts_graph_free(ss->g);
		ss->g = NULL;
		break;
	case CPTS_SESSION_FLOWS:
		drop_flows(ss);
		cpts_flow_rows_free(ss->rows);
		ss->rows = NULL;
		break;
	}
}

void cpts_session_free(cpts_ctx *ctx, cpts_session *ss)
{
	if (!ss)
		return;
	cpts_session_invalidate(ctx, ss, CPTS_SESSION_MODEL, NULL);
	cpts_session_invalidate(ctx, ss, CPTS_SESSION_FLOWS, NULL);
	if (!ss->borrowed)
		cpts_store_free(ss->s);
	free(ss);
}

int cpts_session_model(cpts_ctx *ctx, cpts_session *ss, cpts_model **out)
{
	int rc;

	*out = NULL;
	if (!ss->m && (rc = cpts_model_load(ctx, &ss->m, ss->s)) < 0)
		return rc;
	*out = ss->m;
	return CPTS_OK;
}

int cpts_session_model_geoms(cpts_ctx *ctx, cpts_session *ss, cpts_model **out)
{
	int rc;

	*out = NULL;
	if ((rc = cpts_session_model(ctx, ss, out)) < 0)
		return rc;
	if (!ss->geoms) {
		if ((rc = cpts_model_load_geoms(ctx, ss->m, ss->s)) < 0) {
			*out = NULL;
			return rc;
		}
		ss->geoms = true;
	}
	return CPTS_OK;
}

int cpts_session_partition(cpts_ctx *ctx, cpts_session *ss, const char *name,
			   cpts_partition **out)
{
	cpts_model *m;
	cpts_partition *p;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < ss->n_parts; i++)
		if (strcmp(ss->parts[i]->name, name) == 0) {
			*out = ss->parts[i];
			return CPTS_OK;
		}
	if ((rc = cpts_session_model(ctx, ss, &m)) < 0 ||
	    (rc = cpts_partition_load(ctx, &p, ss->s, m, name)) < 0)
		return rc;
	cpts_session_put_partition(ss, p);
	*out = p;
	return CPTS_OK;
}

void cpts_session_put_partition(cpts_session *ss, cpts_partition *p)
{
	for (size_t i = 0; i < ss->n_parts; i++)
		if (strcmp(ss->parts[i]->name, p->name) == 0) {
			if (ss->parts[i] != p)
				cpts_partition_free(ss->parts[i]);
			ss->parts[i] = p;
			return;
		}
	ss->parts = cpts_reallocarray(ss->parts, ss->n_parts + 1, sizeof(*ss->parts));
	ss->parts[ss->n_parts++] = p;
}

int cpts_session_graph(cpts_ctx *ctx, cpts_session *ss, cpts_graph **out)
{
	cpts_model *m;
	int rc;

	*out = NULL;
	if (!ss->g && ((rc = cpts_session_model(ctx, ss, &m)) < 0 ||
		       (rc = cpts_graph_read(ctx, &ss->g, m, ss->s)) < 0 || rc == CPTS_ABSENT))
		return rc;
	*out = ss->g;
	return CPTS_OK;
}

void cpts_session_put_graph(cpts_session *ss, cpts_graph *g)
{
	if (ss->g != g)
		cpts_graph_free(ss->g);
	ss->g = g;
}

static bool same_profession(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int flows_entry_get(cpts_ctx *ctx, cpts_session *ss, const char *profession,
			   flows_entry **out)
{
	cpts_model *m;
	cpts_flows *f;
	flows_entry *e;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < ss->n_flows; i++)
		if (same_profession(ss->flows[i].profession, profession)) {
			*out = &ss->flows[i];
			return CPTS_OK;
		}
	if ((rc = cpts_session_model(ctx, ss, &m)) < 0 ||
	    (rc = ss->rows ? cpts_flows_from_rows(ctx, &f, m, ss->rows, profession)
			   : cpts_flows_load(ctx, &f, m, ss->s, profession)) < 0)
		return rc;
	ss->flows = cpts_reallocarray(ss->flows, ss->n_flows + 1, sizeof(*ss->flows));
	e = &ss->flows[ss->n_flows++];
	e->profession = profession ? cpts_strdup(profession) : NULL;
	e->f = f;
	e->ft = NULL;
	*out = e;
	return CPTS_OK;
}

int cpts_session_flows(cpts_ctx *ctx, cpts_session *ss, const char *profession,
		       cpts_flows **out)
{
	flows_entry *e;
	int rc;

	*out = NULL;
	if ((rc = flows_entry_get(ctx, ss, profession, &e)) < 0)
		return rc;
	*out = e->f;
	return CPTS_OK;
}

int cpts_session_flows_t(cpts_ctx *ctx, cpts_session *ss, const char *profession,
			 cpts_flows **out)
{
	flows_entry *e;
	int rc;

	*out = NULL;
	if ((rc = flows_entry_get(ctx, ss, profession, &e)) < 0)
		return rc;
	if (!e->ft)
		e->ft = cpts_flows_transpose(e->f);
	*out = e->ft;
	return CPTS_OK;
}

void cpts_session_put_flow_rows(cpts_session *ss, cpts_flow_rows *rows)
{
	if (ss->rows != rows)
		cpts_flow_rows_free(ss->rows);
	ss->rows = rows;
}

const cpts_flow_rows *cpts_session_flow_rows(const cpts_session *ss)
{
	return ss->rows;
}
