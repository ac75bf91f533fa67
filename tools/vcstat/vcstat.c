// SPDX-License-Identifier: GPL-2.0
/*
 * vcstat: vcompound's counters and vcache's caches, in the spirit of
 * vmstat and slabtop.  Reads sysfs /sys/kernel/vcompound/
 * (Documentation/ABI/testing/sysfs-kernel-vcompound): every file of a
 * directory is shown whatever its name, so counters a newer module adds
 * appear without a new vcstat; the lists below only order the columns and
 * say which values are levels rather than counters.
 *
 *   vcstat [options] [interval [count]]
 *
 * The first report is since the module's load; with an interval, each
 * later one shows what the counters did in that interval, and the levels
 * as they are.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef VCSTAT_VERSION
#define VCSTAT_VERSION "unknown"
#endif

#define MAX_KV		32
#define MAX_ORDERS	64
#define MAX_CACHES	256
#define NAME_LEN	64

struct kv {
	char name[NAME_LEN];
	unsigned long long val;
};

/* The numbers of one directory. */
struct group {
	char name[NAME_LEN];
	int n;
	struct kv kv[MAX_KV];
};

struct snapshot {
	struct group global;
	int norders;
	struct group order[MAX_ORDERS];
	int ncaches;
	struct group cache[MAX_CACHES];
};

/* Column order; names not listed follow in alphabetical order. */
static const char *const global_order[] = {
	"outstanding_physical", "outstanding_physical_bytes",
	"outstanding_virtual", "outstanding_virtual_bytes", "deferred_pending",
	NULL
};

static const char *const order_order[] = {
	"physical", "virtual", "failed", "freed_physical", "freed_virtual",
	"deferred", "chunks", "reserve_taken", "reserve_empty",
	"reserve_built", "reserve_level", "reserve_target", "desc_kept", NULL
};

static const char *const cache_order[] = {
	"active_objs", "num_objs", "objsize", "objperslab", "pagesperslab",
	"physical_slabs", "virtual_slabs", "slab_pages", "debug_errors", NULL
};

/* What is a level (shown as it is), not a counter (shown as a delta). */
static const char *const levels[] = {
	"outstanding_physical", "outstanding_physical_bytes",
	"outstanding_virtual", "outstanding_virtual_bytes", "deferred_pending",
	"reserve_level", "reserve_target", "desc_kept", NULL
};

static const char *dir = "/sys/kernel/vcompound";

static void print_usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [--json] [--dir DIR] [interval [count]]\n"
		"       %s [-i SECONDS] [-n COUNT] [--json] [--dir DIR]\n"
		"\n"
		"Shows vcompound's counters per block order (blocks served\n"
		"physically and virtually, failures, frees, the atomic reserve),\n"
		"what is outstanding, the refused calls, and one line per vcache\n"
		"cache, from sysfs %s.  With an interval, the\n"
		"reports after the first show what the counters did in it.\n"
		"\n"
		"  -i, --interval SECONDS  repeat every SECONDS (default: once)\n"
		"  -n, --count COUNT       stop after COUNT reports\n"
		"  -j, --json              one JSON object per report, one a line\n"
		"  -d, --dir DIR           read DIR instead of %s\n"
		"  -V, --version           print the version and exit\n"
		"  -h, --help              this text\n",
		argv0, argv0, dir, dir);
}

static int list_index(const char *const *list, const char *name)
{
	int i;

	for (i = 0; list[i]; i++)
		if (!strcmp(list[i], name))
			return i;
	return i;
}

static const char *const *sort_list;

static int kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	int ix = list_index(sort_list, x->name);
	int iy = list_index(sort_list, y->name);

	return ix != iy ? ix - iy : strcmp(x->name, y->name);
}

/* Reads the one number of @path into @val: 0, or -1 with errno set. */
static int read_number(const char *path, unsigned long long *val)
{
	char buf[32], *end;
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = !!fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n')) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static void say_error(const char *path)
{
	int err = errno;

	fprintf(stderr, "vcstat: %s: %s%s\n", path, strerror(err),
		err == ENOENT ? " (is the vcompound module loaded?)" :
		err == EACCES || err == EPERM ? " (try as root)" : "");
}

/*
 * The regular files of @path into @g, ordered by @list: 0, or -1 after a
 * message.  A file that went away meanwhile (a cache destroyed) is skipped.
 */
static int read_group(const char *path, const char *const *list,
		      struct group *g)
{
	char file[4096];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(path);

	if (!d) {
		say_error(path);
		return -1;
	}
	g->n = 0;
	while ((de = readdir(d)) && g->n < MAX_KV) {
		struct kv *kv = &g->kv[g->n];

		if (de->d_name[0] == '.' || strlen(de->d_name) >= NAME_LEN)
			continue;
		if (snprintf(file, sizeof(file), "%s/%s", path,
			     de->d_name) >= (int)sizeof(file) ||
		    stat(file, &st) || !S_ISREG(st.st_mode))
			continue;
		if (read_number(file, &kv->val)) {
			if (errno == ENOENT)
				continue;
			say_error(file);
			closedir(d);
			return -1;
		}
		snprintf(kv->name, sizeof(kv->name), "%s", de->d_name);
		g->n++;
	}
	closedir(d);
	sort_list = list;
	qsort(g->kv, g->n, sizeof(g->kv[0]), kv_cmp);
	return 0;
}

static int order_cmp(const void *a, const void *b)
{
	return atoi(((const struct group *)a)->name) -
	       atoi(((const struct group *)b)->name);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->name,
		      ((const struct group *)b)->name);
}

/*
 * The subdirectories of @sub into @g (at most @max): their count, or -1.
 * A missing vcache/ is no cache at all.
 */
static int read_subdirs(const char *sub, const char *const *list,
			struct group *g, int max, int missing_ok)
{
	char path[4096], child[4096];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/%s", dir, sub) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		say_error(dir);
		return -1;
	}
	d = opendir(path);
	if (!d) {
		if (missing_ok && errno == ENOENT)
			return 0;
		say_error(path);
		return -1;
	}
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= NAME_LEN)
			continue;
		if (snprintf(child, sizeof(child), "%s/%s", path,
			     de->d_name) >= (int)sizeof(child))
			continue;
		if (read_group(child, list, &g[n])) {
			/* A cache destroyed while we read it. */
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			closedir(d);
			return -1;
		}
		snprintf(g[n].name, sizeof(g[n].name), "%s", de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static int read_snapshot(struct snapshot *s)
{
	if (read_group(dir, global_order, &s->global))
		return -1;
	s->norders = read_subdirs("orders", order_order, s->order, MAX_ORDERS,
				  0);
	if (s->norders < 0)
		return -1;
	qsort(s->order, s->norders, sizeof(s->order[0]), order_cmp);
	s->ncaches = read_subdirs("vcache", cache_order, s->cache, MAX_CACHES,
				  1);
	if (s->ncaches < 0)
		return -1;
	qsort(s->cache, s->ncaches, sizeof(s->cache[0]), name_cmp);
	return 0;
}

static const struct kv *find_kv(const struct group *g, const char *name)
{
	int i;

	for (i = 0; g && i < g->n; i++)
		if (!strcmp(g->kv[i].name, name))
			return &g->kv[i];
	return NULL;
}

static const struct group *find_order(const struct snapshot *s,
				      const char *name)
{
	int i;

	for (i = 0; s && i < s->norders; i++)
		if (!strcmp(s->order[i].name, name))
			return &s->order[i];
	return NULL;
}

/*
 * What a report shows of @kv: a level as it is; a counter as it is, or
 * (with @prev, the group of the report before) what it grew by since.
 */
static unsigned long long shown(const struct kv *kv, const struct group *prev)
{
	const struct kv *old = find_kv(prev, kv->name);

	if (!old || levels[list_index(levels, kv->name)])
		return kv->val;
	return kv->val - old->val;
}

static unsigned long long value(const struct group *g, const char *name)
{
	const struct kv *kv = find_kv(g, name);

	return kv ? kv->val : 0;
}

static const char *human(unsigned long long bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return buf;
}

/* A column as wide as its name, and at least 10. */
static int col_width(const char *name)
{
	int n = strlen(name);

	return n > 10 ? n : 10;
}

static int order_used(const struct group *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		if (g->kv[i].val)
			return 1;
	return 0;
}

/* Whether @name is shown in the global lines rather than "refused:". */
static int is_outstanding(const char *name)
{
	return !strncmp(name, "outstanding_", 12) ||
	       !strcmp(name, "deferred_pending");
}

static void print_text(const struct snapshot *s, const struct snapshot *prev,
		       long interval)
{
	const struct group *g = &s->global, *pg = prev ? &prev->global : NULL;
	char stamp[32], h1[24], h2[24];
	time_t now = time(NULL);
	int i, j, header = 0, other = 0;

	strftime(stamp, sizeof(stamp), "%F %T", localtime(&now));
	if (prev)
		printf("vcompound  %s  (counters: the last %ld s)\n", stamp,
		       interval);
	else
		printf("vcompound  %s  (counters: since the module's load)\n",
		       stamp);
	/* Orders that ever did something, in every report alike. */
	for (i = 0; i < s->norders; i++) {
		const struct group *o = &s->order[i];
		const struct group *po = prev ? find_order(prev, o->name) : NULL;

		if (!order_used(o))
			continue;
		if (!header) {
			printf("%5s", "order");
			for (j = 0; j < o->n; j++)
				printf(" %*s", col_width(o->kv[j].name),
				       o->kv[j].name);
			printf("\n");
			header = 1;
		}
		printf("%5s", o->name);
		for (j = 0; j < o->n; j++)
			printf(" %*llu", col_width(o->kv[j].name),
			       shown(&o->kv[j], po));
		printf("\n");
	}
	if (!header)
		printf("no block allocated since the module's load\n");
	printf("outstanding: physical %llu blocks (%s), virtual %llu blocks (%s)\n",
	       value(g, "outstanding_physical"),
	       human(value(g, "outstanding_physical_bytes"), h1, sizeof(h1)),
	       value(g, "outstanding_virtual"),
	       human(value(g, "outstanding_virtual_bytes"), h2, sizeof(h2)));
	printf("deferred_pending: %llu\n", value(g, "deferred_pending"));
	for (i = 0; i < g->n; i++) {
		if (is_outstanding(g->kv[i].name))
			continue;
		printf("%s %s %llu", other++ ? "" : "refused:", g->kv[i].name,
		       shown(&g->kv[i], pg));
	}
	if (other)
		printf("\n");
	if (!s->ncaches)
		return;
	printf("\n%-20s", "cache");
	for (j = 0; j < s->cache[0].n; j++)
		printf(" %*s", col_width(s->cache[0].kv[j].name),
		       s->cache[0].kv[j].name);
	printf("\n");
	for (i = 0; i < s->ncaches; i++) {
		printf("%-20s", s->cache[i].name);
		for (j = 0; j < s->cache[i].n; j++)
			printf(" %*llu", col_width(s->cache[i].kv[j].name),
			       s->cache[i].kv[j].val);
		printf("\n");
	}
}

/* Names come from the kernel's directories: keep JSON valid whatever. */
static void json_str(const char *str)
{
	putchar('"');
	for (; *str; str++) {
		unsigned char c = *str;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* The members of @g, each after a comma unless @first. */
static void json_members(const struct group *g, const struct group *prev,
			 int first)
{
	int i;

	for (i = 0; i < g->n; i++) {
		if (!first || i)
			putchar(',');
		json_str(g->kv[i].name);
		printf(":%llu", shown(&g->kv[i], prev));
	}
}

static void print_json(const struct snapshot *s, const struct snapshot *prev,
		       long interval)
{
	int i, n;

	printf("{\"time\":%lld,\"interval\":%ld,\"global\":{",
	       (long long)time(NULL), prev ? interval : 0);
	json_members(&s->global, prev ? &prev->global : NULL, 1);
	printf("},\"orders\":[");
	for (i = 0, n = 0; i < s->norders; i++) {
		if (!order_used(&s->order[i]))
			continue;
		printf("%s{\"order\":%s", n++ ? "," : "", s->order[i].name);
		json_members(&s->order[i],
			     prev ? find_order(prev, s->order[i].name) : NULL,
			     0);
		printf("}");
	}
	printf("],\"caches\":[");
	for (i = 0; i < s->ncaches; i++) {
		printf("%s{\"name\":", i ? "," : "");
		json_str(s->cache[i].name);
		json_members(&s->cache[i], NULL, 0);
		printf("}");
	}
	printf("]}\n");
}

/* A whole number in [1, @max] from @arg, or -1. */
static long parse_num(const char *arg, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > max)
		return -1;
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "dir", required_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	long interval = 0, count = 0, done = 0;	/* count 0: no end */
	struct snapshot *s, *prev, *t;
	int json = 0, c;

	while ((c = getopt_long(argc, argv, "i:n:jd:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			interval = parse_num(optarg, 86400);
			if (interval < 0) {
				fprintf(stderr, "vcstat: bad interval '%s' (1 to 86400 seconds)\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			count = parse_num(optarg, 0x7fffffffL);
			if (count < 0) {
				fprintf(stderr, "vcstat: bad count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'V':
			printf("vcstat (vcompound) %s\n", VCSTAT_VERSION);
			return 0;
		case 'h':
			print_usage(stdout, argv[0]);
			return 0;
		default:
			print_usage(stderr, argv[0]);
			return 2;
		}
	}
	/* vmstat's form: vcstat [interval [count]], each given once. */
	if (optind < argc && !interval && argc - optind <= 2) {
		interval = parse_num(argv[optind++], 86400);
		if (optind < argc)
			count = count ? -1 : parse_num(argv[optind++],
						       0x7fffffffL);
	}
	if (optind < argc || interval < 0 || count < 0) {
		print_usage(stderr, argv[0]);
		return 2;
	}
	s = calloc(1, sizeof(*s));
	prev = calloc(1, sizeof(*prev));
	if (!s || !prev) {
		fprintf(stderr, "vcstat: out of memory\n");
		return 1;
	}
	for (;;) {
		if (read_snapshot(s))
			return 1;
		if (json)
			print_json(s, done ? prev : NULL, interval);
		else
			print_text(s, done ? prev : NULL, interval);
		fflush(stdout);
		if (!interval || ++done == count)
			break;
		t = prev;
		prev = s;
		s = t;
		sleep(interval);
		if (!json)
			printf("\n");
	}
	free(s);
	free(prev);
	return 0;
}
