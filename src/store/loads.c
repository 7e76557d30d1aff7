/*
 * loads.c - how many times each loader read the workspace in this process
 * (cpts/store.h). A debugging count: `CPTS_DEBUG_LOADS=1 cpts diagnose ...` prints it,
 * and tests assert that a command reads each input once (cpts/session.h).
 * The loaders run on the main thread only; the counters are plain.
 */
#include <stdio.h>

#include "cpts/store.h"

static unsigned long counts[CPTS_LOAD_KINDS];

void cpts_load_note(cpts_load_kind k)
{
	if ((unsigned)k < CPTS_LOAD_KINDS)
		counts[k]++;
}

unsigned long cpts_load_count(cpts_load_kind k)
{
	return (unsigned)k < CPTS_LOAD_KINDS ? counts[k] : 0;
}

void cpts_loads_report(FILE *out)
{
	fprintf(out, "cpts: loads: model %lu, partitions %lu, graph %lu, flows %lu\n",
		counts[CPTS_LOAD_MODEL], counts[CPTS_LOAD_PARTITION], counts[CPTS_LOAD_GRAPH],
		counts[CPTS_LOAD_FLOWS]);
}
