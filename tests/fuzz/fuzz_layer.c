/*
 * fuzz_layer.c - libFuzzer target for the commune-layer reader: the input is written to
 * /vsimem/fuzz.geojson and read by cpts_ingest__read_layer (GDAL open, code and name
 * fields, reprojection, GEOS validity and repair, measures), without a workspace.
 */
#include <cpl_vsi.h>
#include <stddef.h>
#include <stdint.h>

#include "cpts/ctx.h"
#include "ingest/ingest_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cpts_ctx ctx;
	static int ready;
	static const char path[] = "/vsimem/fuzz.geojson";
	cpts_ingest_communes_opts opts = CPTS_INGEST_COMMUNES_OPTS_INIT;
	cpts_ingest_layer layer;
	VSILFILE *f;

	if (!ready) {
		if (cpts_ctx_init(&ctx) < 0)
			return 0;
		ctx.verbosity = -1;
		ready = 1;
	}
	f = VSIFileFromMemBuffer(path, (GByte *)(uintptr_t)data, (vsi_l_offset)size, FALSE);
	if (!f)
		return 0;
	VSIFCloseL(f);
	opts.skip_failures = size % 2 == 1;
	cpts_error_clear(&ctx);
	cpts_ingest__read_layer(&ctx, &layer, path, &opts);
	cpts_ingest__layer_release(&layer);
	VSIUnlink(path);
	return 0;
}
