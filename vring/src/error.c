#include <amp/error.h>

const char *amp_strerror(int err)
{
	switch (err) {
	case AMP_OK:
		return "success";
#define AMP_ERR_TEXT_(name, value, text) \
	case AMP_##name:                 \
		return text;
		AMP_ERRNO_MAP(AMP_ERR_TEXT_)
#undef AMP_ERR_TEXT_
	default:
		return "unknown error";
	}
}

const char *amp_err_name(int err)
{
	switch (err) {
	case AMP_OK:
		return "AMP_OK";
#define AMP_ERR_NAME_(name, value, text) \
	case AMP_##name:                 \
		return "AMP_" #name;
		AMP_ERRNO_MAP(AMP_ERR_NAME_)
#undef AMP_ERR_NAME_
	default:
		return "AMP_E?";
	}
}
