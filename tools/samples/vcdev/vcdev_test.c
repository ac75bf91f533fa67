// SPDX-License-Identifier: GPL-2.0
/*
 * vcdev_test: user-space test of vcompound_mmap() through the demo device
 * /dev/vcompound_dev (tools/samples/vcdev/vcompound_dev.c).  Prints KTAP.
 *
 * For the physical and the virtual kind (always_fallback 0 and 1) and a few
 * buffer sizes: the buffer comes zeroed, patterns written through mmap()
 * read back through read() and the other way round, a second mapping at a
 * page offset sees the same bytes, and a mapping outlives close() of its
 * file.  The mapping cannot grow with mremap() and stays out of core dumps
 * (VM_DONTEXPAND, VM_DONTDUMP in /proc/self/smaps).  A file opened
 * read-only maps its buffer shared for reading only.
 * Hostile offsets, sizes and flags must be refused with the documented
 * errors.  The counters in sysfs must count its own blocks exactly.
 *
 * usage: vcdev_test [--device PATH]   (as root, vcompound_dev loaded)
 */
#define _GNU_SOURCE	/* mremap() */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vcdev_uapi.h"
#include "vc_params.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *device = "/dev/" VCDEV_NAME;
static long page_size;
static int buddy_max_order;
static unsigned int n_tests, n_failed;
static int failed_now;

static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed_now = 1;
}

#define CHECK(cond, ...) \
	do { if (!(cond)) fail(__VA_ARGS__); } while (0)

static void report(const char *name)
{
	n_tests++;
	if (failed_now)
		n_failed++;
	printf("%sok %u - %s\n", failed_now ? "not " : "", n_tests, name);
	fflush(stdout);
	failed_now = 0;
}

static int set_fallback(int on)
{
	return vc_param_set_always_fallback(on ? "1" : "0");
}

/*
 * The buddy allocator's largest order: /proc/buddyinfo has one column per
 * order 0, 1, ... after "Node 0, zone      DMA".
 */
static int read_buddy_max_order(void)
{
	char line[512], *tok;
	FILE *f = fopen("/proc/buddyinfo", "r");
	int words = 0;

	if (!f || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	for (tok = strtok(line, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
		words++;
	/* four words before the counts, the first of which is order 0 */
	return words > 4 ? words - 5 : -1;
}

static unsigned char pattern(size_t i, unsigned int seed)
{
	uint32_t x = (uint32_t)i * 2654435761u ^ seed;

	return (unsigned char)(x >> 13 ^ x);
}

static int open_sized(uint64_t size, struct vcdev_info *info)
{
	int fd = open(device, O_RDWR);

	if (fd < 0) {
		fail("open %s: %s", device, strerror(errno));
		return -1;
	}
	if (ioctl(fd, VCDEV_SET_SIZE, &size)) {
		fail("VCDEV_SET_SIZE %llu: %s", (unsigned long long)size,
		     strerror(errno));
		close(fd);
		return -1;
	}
	if (ioctl(fd, VCDEV_GET_INFO, info)) {
		fail("VCDEV_GET_INFO: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int get_order(uint64_t size)
{
	int order = 0;

	while (((uint64_t)page_size << order) < size)
		order++;
	return order;
}

/* One buffer of @size bytes of the kind that @fallback asks for. */
/*
 * The flags vcompound_mmap() gives a mapping, from /proc/self/smaps:
 * whether its VmFlags has @flag ("de": VM_DONTEXPAND, "dd": VM_DONTDUMP).
 */
static int vma_has_flag(const void *addr, const char *flag)
{
	static const char delims[] = { ' ', '\n', '\0' };
	char line[512], want[24];
	int in = 0, found = 0;
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return 0;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (fgets(line, sizeof(line), f)) {
		char *tok;

		if (!strncmp(line, want, strlen(want))) {
			in = 1;
			continue;
		}
		if (!in || strncmp(line, "VmFlags:", 8))
			continue;
		for (tok = strtok(line + 8, delims); tok; tok = strtok(NULL, delims))
			found |= !strcmp(tok, flag);
		break;
	}
	fclose(f);
	return found;
}

static void test_buffer(uint64_t size, int fallback)
{
	size_t mapped = (size + page_size - 1) & ~((size_t)page_size - 1);
	int expect_virtual = fallback || get_order(size) > buddy_max_order;
	unsigned char *map, *map2, *buf;
	struct vcdev_info info;
	size_t i, bad;
	int fd;

	buf = malloc(mapped);
	fd = open_sized(size, &info);
	if (fd < 0 || !buf)
		goto out_free;
	CHECK(info.size == size, "info.size %llu", (unsigned long long)info.size);
	CHECK((int)info.order == get_order(size), "order %u, expected %d",
	      info.order, get_order(size));
	CHECK((int)info.is_virtual == expect_virtual, "is_virtual %u, expected %d",
	      info.is_virtual, expect_virtual);

	map = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		fail("mmap %zu bytes: %s", mapped, strerror(errno));
		goto out_close;
	}
	for (i = 0, bad = 0; i < mapped; i++)
		bad += map[i] != 0;
	CHECK(!bad, "%zu non-zero bytes in a new buffer", bad);
	/* Not growable by mremap() (past the block), not in core dumps. */
	CHECK(vma_has_flag(map, "de") && vma_has_flag(map, "dd"),
	      "the mapping lacks VM_DONTEXPAND or VM_DONTDUMP (VmFlags de, dd)");
	CHECK(mremap(map, mapped, 2 * mapped, 0) == MAP_FAILED,
	      "mremap() grew the mapping");

	/* mmap() -> read() */
	for (i = 0; i < mapped; i++)
		map[i] = pattern(i, 1);
	CHECK(pread(fd, buf, size, 0) == (ssize_t)size, "pread: %s",
	      strerror(errno));
	for (i = 0, bad = 0; i < size; i++)
		bad += buf[i] != pattern(i, 1);
	CHECK(!bad, "read() saw %zu bytes unlike the mmap() writes", bad);

	/* write() -> mmap() */
	for (i = 0; i < size; i++)
		buf[i] = pattern(i, 2);
	CHECK(pwrite(fd, buf, size, 0) == (ssize_t)size, "pwrite: %s",
	      strerror(errno));
	for (i = 0, bad = 0; i < size; i++)
		bad += map[i] != pattern(i, 2);
	CHECK(!bad, "mmap() saw %zu bytes unlike the write()s", bad);

	/* A second mapping of part of the buffer, at a page offset. */
	if (mapped > (size_t)page_size) {
		map2 = mmap(NULL, mapped - page_size, PROT_READ, MAP_SHARED,
			    fd, page_size);
		if (map2 == MAP_FAILED) {
			fail("mmap at offset %ld: %s", page_size,
			     strerror(errno));
		} else {
			CHECK(!memcmp(map2, map + page_size,
				      size - page_size),
			      "the mapping at a page offset differs");
			munmap(map2, mapped - page_size);
		}
	}

	/* The mapping keeps its pages after the buffer is freed. */
	close(fd);
	fd = -1;
	for (i = 0, bad = 0; i < size; i++)
		bad += map[i] != pattern(i, 2);
	CHECK(!bad, "%zu bytes changed after close()", bad);
	memset(map, 0x5a, mapped);
	munmap(map, mapped);
out_close:
	if (fd >= 0)
		close(fd);
out_free:
	free(buf);
}

static void expect_errno(int ret, int err, const char *what)
{
	if (ret != -1 || errno != err)
		fail("%s: got %d (%s), expected %s", what, ret,
		     ret == -1 ? strerror(errno) : "success", strerror(err));
}

static void expect_map_errno(int fd, size_t len, int flags, off_t off,
			     int err, const char *what)
{
	void *p = mmap(NULL, len, PROT_READ, flags, fd, off);

	if (p != MAP_FAILED) {
		munmap(p, len);
		fail("%s: mmap succeeded, expected %s", what, strerror(err));
	} else if (errno != err) {
		fail("%s: %s, expected %s", what, strerror(errno),
		     strerror(err));
	}
}

/*
 * The sysfs counters (vc_sysfs_read()) against what this test allocates
 * itself: SYSFS_BLOCKS buffers of one order-2 block each, of the kind
 * @fallback asks for, then their frees.  Nothing else allocates from
 * vcompound while it runs.
 */
#define SYSFS_BLOCKS	5
#define SYSFS_ORDER	2
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define SYSFS_ORDER_DIR	"orders/" STR(SYSFS_ORDER) "/"

enum {
	C_PHYS, C_VIRT, C_FREED_PHYS, C_FREED_VIRT, C_OUT_PHYS, C_OUT_VIRT,
	C_OUT_PHYS_BYTES, C_OUT_VIRT_BYTES, C_NR
};

static const char *const sysfs_files[C_NR] = {
	SYSFS_ORDER_DIR "physical", SYSFS_ORDER_DIR "virtual",
	SYSFS_ORDER_DIR "freed_physical", SYSFS_ORDER_DIR "freed_virtual",
	"outstanding_physical",
	"outstanding_virtual", "outstanding_physical_bytes",
	"outstanding_virtual_bytes",
};

static int sysfs_snapshot(unsigned long long *v)
{
	int i;

	for (i = 0; i < C_NR; i++) {
		if (vc_sysfs_read(sysfs_files[i], &v[i])) {
			fail("read %s%s: %s", VC_SYSFS_DIR, sysfs_files[i],
			     strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The counter @i moved by @want between @a and @b. */
static void sysfs_expect(const unsigned long long *a,
			 const unsigned long long *b, int i,
			 unsigned long long want, const char *when)
{
	CHECK(b[i] - a[i] == want, "%s: %s moved by %lld, expected %llu", when,
	      sysfs_files[i], (long long)(b[i] - a[i]), want);
}

/*
 * Wait for the frees the module's worker finishes (deferred_pending back
 * at 0): on a kernel without CONFIG_PREEMPT_COUNT (Debian's arm64 and
 * ppc64el flavours) every virtual free is deferred, also close()'s.
 */
static int sysfs_wait_deferred(void)
{
	unsigned long long pending = 0;
	int ms;

	for (ms = 0; ms < 10000; ms += 10) {
		if (vc_sysfs_read("deferred_pending", &pending)) {
			fail("read %sdeferred_pending: %s", VC_SYSFS_DIR,
			     strerror(errno));
			return -1;
		}
		if (!pending)
			return 0;
		usleep(10000);
	}
	fail("deferred_pending still %llu after 10 s", pending);
	return -1;
}

static void test_sysfs_counters(int fallback)
{
	unsigned long long before[C_NR], held[C_NR], after[C_NR];
	unsigned long long block = (unsigned long long)page_size << SYSFS_ORDER;
	unsigned long long nphys = 0, nvirt = 0;
	int fds[SYSFS_BLOCKS], n;
	struct vcdev_info info;

	if (set_fallback(fallback)) {
		fail("cannot set always_fallback=%d", fallback);
		return;
	}
	if (sysfs_wait_deferred() || sysfs_snapshot(before)) {
		set_fallback(0);
		return;
	}
	for (n = 0; n < SYSFS_BLOCKS; n++) {
		fds[n] = open_sized(block, &info);
		if (fds[n] < 0)
			break;
		CHECK(info.order == SYSFS_ORDER, "order %u", info.order);
		if (info.is_virtual)
			nvirt++;
		else
			nphys++;
	}
	CHECK(!fallback || !nphys, "%llu physical blocks with always_fallback",
	      nphys);
	if (!sysfs_snapshot(held)) {
		sysfs_expect(before, held, C_PHYS, nphys, "allocated");
		sysfs_expect(before, held, C_VIRT, nvirt, "allocated");
		sysfs_expect(before, held, C_OUT_PHYS, nphys, "allocated");
		sysfs_expect(before, held, C_OUT_VIRT, nvirt, "allocated");
		sysfs_expect(before, held, C_OUT_PHYS_BYTES, nphys * block,
			     "allocated");
		sysfs_expect(before, held, C_OUT_VIRT_BYTES, nvirt * block,
			     "allocated");
	}
	while (n--)
		close(fds[n]);
	if (!sysfs_wait_deferred() && !sysfs_snapshot(after)) {
		sysfs_expect(held, after, C_FREED_PHYS, nphys, "freed");
		sysfs_expect(held, after, C_FREED_VIRT, nvirt, "freed");
		sysfs_expect(before, after, C_OUT_PHYS, 0, "freed");
		sysfs_expect(before, after, C_OUT_VIRT, 0, "freed");
	}
	set_fallback(0);
}

static void test_hostile(void)
{
	const uint64_t size = 3 * page_size + 100;
	const size_t pages = 4;
	uint64_t bad_size;
	struct vcdev_info info;
	char c;
	int fd;

	fd = open(device, O_RDWR);
	if (fd < 0) {
		fail("open: %s", strerror(errno));
		return;
	}
	expect_map_errno(fd, page_size, MAP_SHARED, 0, EINVAL,
			 "mmap before VCDEV_SET_SIZE");
	expect_errno(pread(fd, &c, 1, 0), EINVAL, "read before VCDEV_SET_SIZE");
	bad_size = 0;
	expect_errno(ioctl(fd, VCDEV_SET_SIZE, &bad_size), EINVAL, "size 0");
	bad_size = VCDEV_MAX_SIZE + 1;
	expect_errno(ioctl(fd, VCDEV_SET_SIZE, &bad_size), EINVAL,
		     "size above the maximum");
	bad_size = ~0ULL;
	expect_errno(ioctl(fd, VCDEV_SET_SIZE, &bad_size), EINVAL,
		     "size ~0");
	expect_errno(ioctl(fd, VCDEV_SET_SIZE, (void *)8), EFAULT,
		     "size at a bad user pointer");
	expect_errno(ioctl(fd, _IO('v', 0x7f)), ENOTTY, "unknown ioctl");
	close(fd);

	fd = open_sized(size, &info);
	if (fd < 0)
		return;
	bad_size = page_size;
	expect_errno(ioctl(fd, VCDEV_SET_SIZE, &bad_size), EBUSY,
		     "second VCDEV_SET_SIZE");
	expect_map_errno(fd, page_size, MAP_SHARED, pages * page_size, EINVAL,
			 "mmap at the page past the end");
	expect_map_errno(fd, page_size, MAP_SHARED, 1000 * page_size, EINVAL,
			 "mmap far past the end");
	expect_map_errno(fd, (pages + 1) * page_size, MAP_SHARED, 0, EINVAL,
			 "mmap longer than the buffer");
	expect_map_errno(fd, pages * page_size, MAP_SHARED, page_size, EINVAL,
			 "mmap running past the end");
	expect_map_errno(fd, page_size, MAP_PRIVATE, 0, EINVAL,
			 "MAP_PRIVATE");
	expect_errno(lseek(fd, size + 1, SEEK_SET), EINVAL,
		     "lseek past the end");
	expect_errno(lseek(fd, -1, SEEK_SET), EINVAL, "lseek to -1");
	expect_errno(pread(fd, &c, 1, size + 1), EINVAL, "read past the end");
	expect_errno(pwrite(fd, &c, 1, size + 1), EINVAL,
		     "write past the end");
	CHECK(pread(fd, &c, 1, size) == 0, "read at the end is not EOF");
	expect_errno(pwrite(fd, &c, 1, size), ENOSPC, "write at the end");
	expect_errno(ioctl(fd, VCDEV_GET_INFO, (void *)8), EFAULT,
		     "VCDEV_GET_INFO to a bad user pointer");
	close(fd);
}

/*
 * A file opened read-only gets its buffer too and maps it shared for
 * reading (not for writing: the kernel refuses that), zeroed.
 */
static void test_readonly(void)
{
	uint64_t size = 2 * page_size;
	struct vcdev_info info;
	unsigned char *map;
	size_t i, bad;
	int fd = open(device, O_RDONLY);

	if (fd < 0) {
		fail("open O_RDONLY: %s", strerror(errno));
		return;
	}
	if (ioctl(fd, VCDEV_SET_SIZE, &size) ||
	    ioctl(fd, VCDEV_GET_INFO, &info)) {
		fail("ioctl on a read-only file: %s", strerror(errno));
		close(fd);
		return;
	}
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		fail("read-only shared mmap: %s", strerror(errno));
	} else {
		for (i = 0, bad = 0; i < size; i++)
			bad += map[i] != 0;
		CHECK(!bad, "%zu non-zero bytes in a new buffer", bad);
		munmap(map, size);
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map != MAP_FAILED) {
		munmap(map, size);
		fail("writable shared mmap of a read-only file succeeded");
	} else if (errno != EACCES) {
		fail("writable shared mmap of a read-only file: %s, expected %s",
		     strerror(errno), strerror(EACCES));
	}
	close(fd);
}

static void test_device_mode(void)
{
	struct stat st;

	if (stat(device, &st)) {
		fail("stat %s: %s", device, strerror(errno));
		return;
	}
	CHECK(S_ISCHR(st.st_mode), "%s is not a character device", device);
	CHECK(st.st_uid == 0 && !(st.st_mode & 077),
	      "%s is mode %o, owner %u: not root-only", device,
	      st.st_mode & 07777, st.st_uid);
}

int main(int argc, char **argv)
{
	static const uint64_t kib = 1024, mib = 1024 * 1024;
	const uint64_t sizes[] = { 4 * kib, 12 * kib + 100, mib, 8 * mib };
	char name[80];
	unsigned int i;
	int fb;

	if (argc == 3 && !strcmp(argv[1], "--device")) {
		device = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--device PATH]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	buddy_max_order = read_buddy_max_order();

	printf("KTAP version 1\n1..%zu\n",
	       5 + 2 * ARRAY_SIZE(sizes));
	if (buddy_max_order < 0)
		fail("cannot read /proc/buddyinfo");
	test_device_mode();
	report("device_node_root_only");
	for (fb = 0; fb <= 1; fb++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			snprintf(name, sizeof(name), "mmap_%llu_bytes_%s",
				 (unsigned long long)sizes[i],
				 fb ? "always_fallback" : "default");
			if (set_fallback(fb))
				fail("cannot set always_fallback=%d", fb);
			else
				test_buffer(sizes[i], fb);
			report(name);
		}
	}
	set_fallback(0);
	test_readonly();
	report("readonly_file_maps_shared_for_reading");
	test_hostile();
	report("hostile_offsets_sizes_flags");
	test_sysfs_counters(0);
	report("sysfs_counters_default");
	test_sysfs_counters(1);
	report("sysfs_counters_always_fallback");
	printf("# vcdev_test: pass:%u fail:%u total:%u\n",
	       n_tests - n_failed, n_failed, n_tests);
	return n_failed ? 1 : 0;
}
