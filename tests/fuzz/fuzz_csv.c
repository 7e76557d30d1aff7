/*
 * fuzz_csv.c - libFuzzer target for the CSV reader and the table checks of the ingest
 * module. The first byte chooses the kind of table (population, flows, ...), the rest
 * is the file: delimiter/encoding detection, quoting, cell parsing, column matching and
 * value checks all run on it (cpts_ingest__check_csv_mem, no workspace).
 */
#include <stddef.h>
#include <stdint.h>

#include "cpts/ctx.h"
#include "ingest/ingest_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cpts_ctx ctx;
	static int ready;
	long long n_rows;

	if (!ready) {
		if (cpts_ctx_init(&ctx) < 0)
			return 0;
		ctx.verbosity = -1; /* silent: warnings would flood the fuzzer's output */
		ready = 1;
	}
	if (size < 1)
		return 0;
	cpts_error_clear(&ctx);
	cpts_ingest__check_csv_mem(&ctx, (cpts_table_kind)(data[0] % CPTS_TABLE_N_KINDS),
				   data + 1, size - 1, &n_rows);
	return 0;
}
