/* SoC profile loader and validator; see <ampsim/profile.h> and docs/memory-map.md. */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC */
#include <ampsim/profile.h>
#include <amp/error.h>
#include <ampsim/error.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef AMP_PROFILE_DIRS
#define AMP_PROFILE_DIRS ""
#endif

static const char *const purpose_names[AMP_SOC_PURPOSE_COUNT] = {
    [AMP_SOC_PURPOSE_RAM] = "ram",	 [AMP_SOC_PURPOSE_VRING] = "vring",
    [AMP_SOC_PURPOSE_BUFFER] = "buffer", [AMP_SOC_PURPOSE_DDR] = "ddr",
    [AMP_SOC_PURPOSE_IPCC] = "ipcc",	 [AMP_SOC_PURPOSE_RETRAM] = "retram",
};

static const char *const soc_keys[] = {"name", "description", NULL};
static const char *const region_keys[] = {"da",		 "size",	"purpose",
					  "relocatable", "description", NULL};
static const char *const mailbox_keys[] = {"type", "region", "channels", NULL};

#define REGION_PREFIX "region "
#define PROFILE_MAX (64u * 1024u) /* a profile is a few hundred bytes; refuse anything huge */
#define FORMAT_HINT "; the format is in docs/memory-map.md"

const char *amp_profile_builtin_path(void)
{
	return AMP_PROFILE_DIRS;
}

static gboolean invalid(GError **error, const char *file, const char *group, const char *key,
			const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static gboolean invalid(GError **error, const char *file, const char *group, const char *key,
			const char *fmt, ...)
{
	va_list ap;
	g_autofree char *why = NULL;

	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	amp_set_error(error, AMP_EINVAL, "%s: [%s]%s%s: %s" FORMAT_HINT, file, group,
		      key && *key ? " " : "", key ? key : "", why);
	return FALSE;
}

static gboolean check_keys(GKeyFile *kf, const char *file, const char *group,
			   const char *const *known, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	for (char **k = keys; k && *k; k++) {
		if (!g_strv_contains(known, *k))
			return invalid(error, file, group, *k, "unknown key");
	}
	return TRUE;
}

/* Unsigned number: decimal or 0x-hex, optional K/M/G suffix (binary), nothing else. */
static gboolean get_u64(GKeyFile *kf, const char *file, const char *group, const char *key,
			guint64 *out, GError **error)
{
	g_autofree char *raw = g_key_file_get_value(kf, group, key, NULL);
	const char *s;
	char *end = NULL;
	guint base = 10;
	guint64 v, mul = 1;

	if (!raw)
		return invalid(error, file, group, key, "missing");
	s = g_strstrip(raw);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!g_ascii_isxdigit(s[0]) || (base == 10 && !g_ascii_isdigit(s[0])))
		return invalid(error, file, group, key, "'%s' is not a number", raw);
	errno = 0;
	v = g_ascii_strtoull(s, &end, base);
	if (errno == ERANGE)
		return invalid(error, file, group, key, "'%s' does not fit 64 bits", raw);
	if (*end == 'K' || *end == 'M' || *end == 'G') {
		mul = *end == 'K' ? 1ull << 10 : *end == 'M' ? 1ull << 20 : 1ull << 30;
		end++;
	}
	if (*end != '\0')
		return invalid(error, file, group, key, "'%s' is not a number", raw);
	if (v > G_MAXUINT64 / mul)
		return invalid(error, file, group, key, "'%s' does not fit 64 bits", raw);
	*out = v * mul;
	return TRUE;
}

static gboolean parse_region(GKeyFile *kf, const char *file, const char *group,
			     struct amp_soc_region_cfg *r, GError **error)
{
	const char *name = group + strlen(REGION_PREFIX);
	g_autofree char *purpose = NULL;
	GError *e = NULL;
	gboolean reloc;

	if (!check_keys(kf, file, group, region_keys, error))
		return FALSE;
	if (!*name || strlen(name) >= sizeof(r->name))
		return invalid(error, file, group, NULL, "region name must be 1..%zu characters",
			       sizeof(r->name) - 1);
	g_strlcpy(r->name, name, sizeof(r->name));
	if (!get_u64(kf, file, group, "da", &r->da, error) ||
	    !get_u64(kf, file, group, "size", &r->size, error))
		return FALSE;
	purpose = g_key_file_get_string(kf, group, "purpose", NULL);
	if (!purpose)
		return invalid(error, file, group, "purpose", "missing");
	g_strstrip(purpose);
	r->purpose = AMP_SOC_PURPOSE_COUNT;
	for (guint i = 0; i < AMP_SOC_PURPOSE_COUNT; i++) {
		if (g_strcmp0(purpose, purpose_names[i]) == 0)
			r->purpose = i;
	}
	if (r->purpose == AMP_SOC_PURPOSE_COUNT)
		return invalid(error, file, group, "purpose",
			       "'%s' is not one of ram, vring, buffer, ddr, ipcc, retram", purpose);
	if (g_key_file_has_key(kf, group, "relocatable", NULL)) {
		reloc = g_key_file_get_boolean(kf, group, "relocatable", &e);
		if (e) {
			g_clear_error(&e);
			return invalid(error, file, group, "relocatable", "not true or false");
		}
		if (reloc)
			r->flags |= AMP_SOC_F_RELOCATABLE;
	}
	return TRUE;
}

/*
 * Read the file with POSIX calls, so a failure keeps its errno for the one errno -> AMP_E*
 * map (GLib's file errors would lose it). NUL-terminated; g_free it.
 */
static char *read_profile(const char *path, gsize *len, GError **error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	ssize_t n = 0;

	if (fd < 0) {
		amp_set_error_errno(error, errno, "cannot read SoC profile %s", path);
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		amp_set_error_errno(error, errno, "cannot read SoC profile %s", path);
	} else if (!S_ISREG(st.st_mode) || st.st_size > (off_t)PROFILE_MAX) {
		amp_set_error(error, AMP_EINVAL,
			      "%s is not a SoC profile (a regular file of at most %u bytes)", path,
			      PROFILE_MAX);
	} else {
		buf = g_malloc((gsize)st.st_size + 1);
		do
			n = read(fd, buf, (size_t)st.st_size + 1); /* + 1: sees a file that grew */
		while (n < 0 && errno == EINTR);
		if (n < 0 || n > st.st_size) {
			if (n < 0)
				amp_set_error_errno(error, errno, "cannot read SoC profile %s",
						    path);
			else
				amp_set_error(error, AMP_EAGAIN, "%s changed while being read",
					      path);
			g_clear_pointer(&buf, g_free);
		} else {
			buf[n] = '\0';
			*len = (gsize)n;
		}
	}
	close(fd);
	return buf;
}

/*
 * GKeyFile merges a group given twice into one (the later keys win), silently: find the
 * group lines as it reads them (leading blanks skipped, the name up to the line's last ']')
 * and refuse a repeat, naming both lines.
 */
static gboolean check_groups_once(const char *text, const char *path, GError **error)
{
	g_autoptr(GHashTable) first = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i]; i++) {
		const char *l = lines[i];
		while (g_ascii_isspace(*l))
			l++;
		const char *end = strrchr(l, ']');
		if (*l != '[' || !end)
			continue;
		char *name = g_strndup(l + 1, (gsize)(end - l - 1));
		gpointer was = g_hash_table_lookup(first, name);
		if (was) {
			amp_set_error(error, AMP_EINVAL,
				      "%s: line %u: [%s] appears a second time (first at line %u); "
				      "give each group once" FORMAT_HINT,
				      path, i + 1, name, GPOINTER_TO_UINT(was));
			g_free(name);
			return FALSE;
		}
		g_hash_table_insert(first, name, GUINT_TO_POINTER(i + 1));
	}
	return TRUE;
}

static gboolean parse_key_file(GKeyFile *kf, const char *path, GError **error)
{
	gsize len = 0;
	g_autofree char *text = read_profile(path, &len, error);
	g_autoptr(GError) e = NULL;

	if (!text)
		return FALSE;
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &e)) {
		/* GLib's own text does not say which file; every profile error must. */
		amp_set_error(error, AMP_EBADMSG, "%s: not a key file: %s" FORMAT_HINT, path,
			      e->message);
		return FALSE;
	}
	return check_groups_once(text, path, error);
}

/* [mailbox]: type, region (by name), channels. */
static gboolean parse_mailbox(GKeyFile *kf, const char *path, struct amp_soc_layout *out,
			      GError **error)
{
	g_autofree char *mbox_type = g_key_file_get_string(kf, "mailbox", "type", NULL);
	g_autofree char *mbox_region = g_key_file_get_string(kf, "mailbox", "region", NULL);
	guint64 nchan;

	if (!mbox_type)
		return invalid(error, path, "mailbox", "type", "missing");
	if (strcmp(g_strstrip(mbox_type), "stm32-ipcc") != 0)
		return invalid(error, path, "mailbox", "type", "'%s' not supported (stm32-ipcc)",
			       mbox_type);
	if (!mbox_region)
		return invalid(error, path, "mailbox", "region", "missing");
	g_strstrip(mbox_region);
	out->ipcc_region = AMP_SOC_MAX_REGIONS;
	for (guint i = 0; i < out->nregions; i++) {
		if (strcmp(out->regions[i].name, mbox_region) == 0)
			out->ipcc_region = i;
	}
	if (out->ipcc_region == AMP_SOC_MAX_REGIONS)
		return invalid(error, path, "mailbox", "region", "no region named '%s'",
			       mbox_region);
	if (!get_u64(kf, path, "mailbox", "channels", &nchan, error))
		return FALSE;
	if (nchan == 0 || nchan > 16u)
		return invalid(error, path, "mailbox", "channels",
			       "%" G_GUINT64_FORMAT " channels (1..16 allowed)", nchan);
	out->ipcc_nchan = (uint32_t)nchan;
	return TRUE;
}

gboolean amp_profile_load_file(const char *path, struct amp_soc_layout *out, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_auto(GStrv) groups = NULL;
	g_autofree char *soc_name = NULL;
	struct amp_soc_layout_err le;
	const char *group_of[AMP_SOC_MAX_REGIONS];

	g_return_val_if_fail(path && out, FALSE);
	memset(out, 0, sizeof(*out));
	if (!parse_key_file(kf, path, error))
		return FALSE;
	groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g; g++) {
		if (strcmp(*g, "soc") == 0) {
			if (!check_keys(kf, path, *g, soc_keys, error))
				return FALSE;
		} else if (strcmp(*g, "mailbox") == 0) {
			if (!check_keys(kf, path, *g, mailbox_keys, error))
				return FALSE;
		} else if (g_str_has_prefix(*g, REGION_PREFIX)) {
			if (out->nregions == AMP_SOC_MAX_REGIONS)
				return invalid(error, path, *g, NULL, "more than %u regions",
					       AMP_SOC_MAX_REGIONS);
			group_of[out->nregions] = *g;
			if (!parse_region(kf, path, *g, &out->regions[out->nregions], error))
				return FALSE;
			out->nregions++;
		} else {
			return invalid(
			    error, path, *g, NULL,
			    "unknown group (expected soc, mailbox or \"region <name>\")");
		}
	}
	soc_name = g_key_file_get_string(kf, "soc", "name", NULL);
	if (!soc_name || !*soc_name || strlen(soc_name) >= sizeof(out->name))
		return invalid(error, path, "soc", "name", "missing or longer than %zu",
			       sizeof(out->name) - 1);
	g_strlcpy(out->name, soc_name, sizeof(out->name));
	if (out->nregions == 0)
		return invalid(error, path, "soc", NULL, "no [region <name>] groups");
	if (!parse_mailbox(kf, path, out, error))
		return FALSE;
	if (amp_soc_layout_check(out, &le) != AMP_OK) {
		if (le.region < 0)
			return invalid(error, path, "mailbox", le.key, "%s", le.why);
		return invalid(error, path, group_of[le.region], le.key, "%s", le.why);
	}
	return TRUE;
}

gboolean amp_profile_load(const char *name, struct amp_soc_layout *out, GError **error)
{
	g_autofree char *file = NULL;
	g_autoptr(GString) tried = g_string_new(NULL);
	const char *env = g_getenv(AMP_PROFILE_PATH_ENV);
	g_autofree char *search = NULL;
	g_auto(GStrv) dirs = NULL;

	g_return_val_if_fail(out, FALSE);
	if (!name || !*name)
		name = AMP_PROFILE_DEFAULT;
	if (strchr(name, '/'))
		return amp_profile_load_file(name, out, error);
	search = g_strjoin(":", env ? env : "", amp_profile_builtin_path(), NULL);
	dirs = g_strsplit(search, ":", -1);
	file = g_strconcat(name, ".ini", NULL);
	for (char **d = dirs; *d; d++) {
		g_autofree char *p = NULL;

		if (!**d)
			continue;
		p = g_build_filename(*d, file, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
			return amp_profile_load_file(p, out, error);
		g_string_append_printf(tried, " %s", *d);
	}
	amp_set_error(error, AMP_ENOENT,
		      "SoC profile '%s' not found (searched:%s); give a profile name from those "
		      "directories or a path to an .ini file",
		      name, tried->str);
	return FALSE;
}
