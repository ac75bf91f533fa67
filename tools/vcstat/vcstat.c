// SPDX-License-Identifier: GPL-2.0
/*
 * vcstat: vcompound's counters and vcache's caches as a table, in the
 * spirit of vmstat and slabtop.  Reads debugfs vcompound/stats and
 * vcompound/vcacheinfo (root only).
 *
 * The stats file is an order table followed by "label: ..." lines; lines of
 * the form "label: key N key N ..." are shown and exported whatever their
 * label, so counters added to the module appear here without a change.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ORDERS	64
#define MAX_COLS	16
#define MAX_PAIRS	16
#define MAX_LINES	32
#define MAX_CACHES	256
#define NAME_LEN	64

struct kv_line {
	char label[NAME_LEN];
	int n;
	char key[MAX_PAIRS][NAME_LEN];
	unsigned long long val[MAX_PAIRS];
};

struct cache_line {
	char name[NAME_LEN];
	unsigned long long v[7];
};

struct snapshot {
	int ncols, norders;
	char col[MAX_COLS][NAME_LEN];		/* col[0] is "order" */
	unsigned long long row[MAX_ORDERS][MAX_COLS];
	unsigned long long out_blocks[2], out_bytes[2];	/* physical, virtual */
	int have_out[2];
	int nlines;
	struct kv_line line[MAX_LINES];
	int ncaches;
	struct cache_line cache[MAX_CACHES];
};

static const char *const cache_cols[7] = {
	"active_objs", "num_objs", "objsize", "objperslab", "pagesperslab",
	"physical_slabs", "virtual_slabs",
};

static const char *dir = "/sys/kernel/debug/vcompound";

static void print_help(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [-i SECONDS] [-n COUNT] [--json] [--dir DIR]\n"
		"\n"
		"Shows vcompound's per-order counters (blocks served physically and\n"
		"virtually, failures, frees, deferred frees), what is outstanding,\n"
		"the other counters of debugfs vcompound/stats, and one line per\n"
		"vcache cache (debugfs vcompound/vcacheinfo).  Needs root (debugfs).\n"
		"\n"
		"  -i, --interval SECONDS  repeat every SECONDS (default: once)\n"
		"  -n, --count COUNT       stop after COUNT reports (with -i)\n"
		"  -j, --json              one JSON object per report\n"
		"  -d, --dir DIR           read DIR/stats and DIR/vcacheinfo\n"
		"                          (default %s)\n"
		"  -h, --help              this text\n",
		argv0, dir);
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * "label: key N key N ..." or "label: N" -> @kv; 0 if the line has another
 * shape.  A scalar gets an empty key.
 */
static int parse_kv(char *line, struct kv_line *kv)
{
	char *colon = strchr(line, ':'), *tok[2 * MAX_PAIRS + 1], *save;
	int ntok = 0, i;

	if (!colon)
		return 0;
	*colon = '\0';
	snprintf(kv->label, sizeof(kv->label), "%.*s", NAME_LEN - 1, line);
	for (tok[0] = strtok_r(colon + 1, " \t\r\n,", &save); tok[ntok];
	     tok[ntok] = strtok_r(NULL, " \t\r\n,", &save))
		if (++ntok == 2 * MAX_PAIRS + 1)
			return 0;
	kv->n = 0;
	if (ntok == 1 && all_digits(tok[0])) {
		kv->key[0][0] = '\0';
		kv->val[kv->n++] = strtoull(tok[0], NULL, 10);
		return 1;
	}
	if (!ntok || ntok % 2)
		return 0;
	for (i = 0; i < ntok; i += 2) {
		if (!all_digits(tok[i + 1]))
			return 0;
		snprintf(kv->key[kv->n], NAME_LEN, "%.*s", NAME_LEN - 1,
			 tok[i]);
		kv->val[kv->n++] = strtoull(tok[i + 1], NULL, 10);
	}
	return 1;
}

static int read_stats(struct snapshot *s)
{
	char path[PATH_MAX], line[512], *tok, *save;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/stats", dir);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "vcstat: %s: %s%s\n", path, strerror(errno),
			errno == EACCES ? " (run as root)" :
			errno == ENOENT ? " (is vcompound loaded, debugfs mounted?)" : "");
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long blocks, bytes;
		char kind[16];

		if (!s->ncols && !strncmp(line, "order", 5)) {
			for (tok = strtok_r(line, " \t\r\n", &save);
			     tok && s->ncols < MAX_COLS;
			     tok = strtok_r(NULL, " \t\r\n", &save))
				snprintf(s->col[s->ncols++], NAME_LEN, "%s", tok);
			continue;
		}
		if (sscanf(line, " outstanding %15s %llu blocks, %llu bytes",
			   kind, &blocks, &bytes) == 3) {
			i = strcmp(kind, "physical:") ? 1 : 0;
			s->out_blocks[i] = blocks;
			s->out_bytes[i] = bytes;
			s->have_out[i] = 1;
			continue;
		}
		if (s->ncols && line[strspn(line, " ")] >= '0' &&
		    line[strspn(line, " ")] <= '9' &&
		    s->norders < MAX_ORDERS) {
			for (i = 0, tok = strtok_r(line, " \t\r\n", &save);
			     tok && i < s->ncols;
			     tok = strtok_r(NULL, " \t\r\n", &save))
				s->row[s->norders][i++] = strtoull(tok, NULL, 10);
			if (i == s->ncols)
				s->norders++;
			continue;
		}
		if (s->nlines < MAX_LINES && parse_kv(line, &s->line[s->nlines]))
			s->nlines++;
	}
	fclose(f);
	if (!s->ncols) {
		fprintf(stderr, "vcstat: %s: no order table\n", path);
		return -1;
	}
	return 0;
}

static void read_caches(struct snapshot *s)
{
	char path[PATH_MAX], line[512];
	struct cache_line *c;
	FILE *f;

	snprintf(path, sizeof(path), "%s/vcacheinfo", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && s->ncaches < MAX_CACHES) {
		c = &s->cache[s->ncaches];
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %llu %llu %llu %llu %llu %llu %llu",
			   c->name, &c->v[0], &c->v[1], &c->v[2], &c->v[3],
			   &c->v[4], &c->v[5], &c->v[6]) == 8)
			s->ncaches++;
	}
	fclose(f);
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

/* As the module's own table: 5 for the order, a counter as wide as its
 * name and at least 10.
 */
static int col_width(int col, const char *name)
{
	int n = strlen(name);

	if (!col)
		return 5;
	return n > 10 ? n : 10;
}

static void print_text(const struct snapshot *s)
{
	char stamp[32], h1[24], h2[24];
	time_t now = time(NULL);
	int i, j;

	strftime(stamp, sizeof(stamp), "%F %T", localtime(&now));
	printf("vcompound  %s\n", stamp);
	for (j = 0; j < s->ncols; j++)
		printf(j ? " %*s" : "%*s", col_width(j, s->col[j]), s->col[j]);
	printf("\n");
	for (i = 0; i < s->norders; i++) {
		for (j = 0; j < s->ncols; j++)
			printf(j ? " %*llu" : "%*llu", col_width(j, s->col[j]),
			       s->row[i][j]);
		printf("\n");
	}
	if (s->have_out[0] || s->have_out[1])
		printf("outstanding: physical %llu blocks (%s), virtual %llu blocks (%s)\n",
		       s->out_blocks[0], human(s->out_bytes[0], h1, sizeof(h1)),
		       s->out_blocks[1], human(s->out_bytes[1], h2, sizeof(h2)));
	for (i = 0; i < s->nlines; i++) {
		printf("%s:", s->line[i].label);
		for (j = 0; j < s->line[i].n; j++)
			printf("%s%s %llu", s->line[i].key[j][0] ? " " : "",
			       s->line[i].key[j], s->line[i].val[j]);
		printf("\n");
	}
	if (!s->ncaches)
		return;
	printf("\n%-20s %10s %10s %8s %9s %10s %10s %10s\n", "cache", "active",
	       "objects", "objsize", "obj/slab", "pages/slab", "phys_slabs",
	       "virt_slabs");
	for (i = 0; i < s->ncaches; i++)
		printf("%-20s %10llu %10llu %8llu %9llu %10llu %10llu %10llu\n",
		       s->cache[i].name, s->cache[i].v[0], s->cache[i].v[1],
		       s->cache[i].v[2], s->cache[i].v[3], s->cache[i].v[4],
		       s->cache[i].v[5], s->cache[i].v[6]);
}

/* Names come from the kernel's files: keep JSON valid whatever they hold. */
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

static void print_json(const struct snapshot *s)
{
	const char *kind[2] = { "physical", "virtual" };
	int i, j;

	printf("{\"time\":%lld,\"orders\":[", (long long)time(NULL));
	for (i = 0; i < s->norders; i++) {
		printf(i ? ",{" : "{");
		for (j = 0; j < s->ncols; j++) {
			printf(j ? "," : "");
			json_str(s->col[j]);
			printf(":%llu", s->row[i][j]);
		}
		printf("}");
	}
	printf("],\"outstanding\":{");
	for (i = 0; i < 2; i++)
		printf("%s\"%s\":{\"blocks\":%llu,\"bytes\":%llu}", i ? "," : "",
		       kind[i], s->out_blocks[i], s->out_bytes[i]);
	printf("}");
	for (i = 0; i < s->nlines; i++) {
		char label[NAME_LEN], *p;

		snprintf(label, sizeof(label), "%s", s->line[i].label);
		for (p = label; *p; p++)
			if (*p == ' ')
				*p = '_';
		printf(",");
		json_str(label);
		if (!s->line[i].key[0][0]) {
			printf(":%llu", s->line[i].val[0]);
			continue;
		}
		printf(":{");
		for (j = 0; j < s->line[i].n; j++) {
			printf(j ? "," : "");
			json_str(s->line[i].key[j]);
			printf(":%llu", s->line[i].val[j]);
		}
		printf("}");
	}
	printf(",\"caches\":[");
	for (i = 0; i < s->ncaches; i++) {
		printf(i ? ",{\"name\":" : "{\"name\":");
		json_str(s->cache[i].name);
		for (j = 0; j < 7; j++)
			printf(",\"%s\":%llu", cache_cols[j], s->cache[i].v[j]);
		printf("}");
	}
	printf("]}\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	long interval = 0, count = -1, done = 0;
	struct snapshot *s;
	int json = 0, c;
	char *end;

	while ((c = getopt_long(argc, argv, "i:n:jd:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			interval = strtol(optarg, &end, 10);
			if (*end || interval <= 0 || interval > 86400) {
				fprintf(stderr, "vcstat: bad interval '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end || count <= 0) {
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
		case 'h':
			print_help(stdout, argv[0]);
			return 0;
		default:
			print_help(stderr, argv[0]);
			return 2;
		}
	}
	if (optind != argc) {
		print_help(stderr, argv[0]);
		return 2;
	}
	s = malloc(sizeof(*s));
	if (!s)
		return 1;
	for (;;) {
		memset(s, 0, sizeof(*s));
		if (read_stats(s))
			return 1;
		read_caches(s);
		if (json)
			print_json(s);
		else
			print_text(s);
		fflush(stdout);
		if (!interval || ++done == count)
			break;
		sleep(interval);
		if (!json)
			printf("\n");
	}
	free(s);
	return 0;
}
