#include "upper_proto.h"

void upper_convert(const char *in, size_t len, char *out)
{
	/* ASCII only, no locale: this runs on the MCU too. */
	for (size_t i = 0; i < len; i++)
		out[i] = (in[i] >= 'a' && in[i] <= 'z') ? (char)(in[i] - 'a' + 'A') : in[i];
}
