/*
 * gdal.c - the GDAL adapter: drivers registered once, and a CPL error handler that
 * keeps the last error message (per thread) instead of printing it, so messages reach
 * the user through our error model (cpts_fail_gdal) with the file named.
 */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>

#include "dep/dep.h"

static _Thread_local char last_error[512];
static int gdal_ready;

static void CPL_STDCALL on_cpl_error(CPLErr cls, CPLErrorNum num, const char *msg)
{
	(void)num;
	if (cls >= CE_Failure)
		snprintf(last_error, sizeof(last_error), "%s", msg);
}

void cpts_gdal_init(void)
{
	if (gdal_ready)
		return;
	gdal_ready = 1;
	GDALAllRegister();
	CPLSetErrorHandler(on_cpl_error);
	/* GeoJSON files of whole countries are larger than GDAL's default limit */
	CPLSetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", "0");
}

const char *cpts_gdal_last_error(void)
{
	return last_error;
}

void cpts_gdal_clear_error(void)
{
	last_error[0] = '\0';
	CPLErrorReset();
}
