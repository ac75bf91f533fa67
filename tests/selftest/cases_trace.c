// SPDX-License-Identifier: GPL-2.0
/*
 * Trace events through tracefs, as a user would use them (from a shell:
 * tracefs files cannot be reached with kernel_read/kernel_write): enable
 * events/vcompound/, allocate and free both kinds (one free deferred from
 * hardirq) and a vcache object, then find every event in the trace with
 * all of its fields.  Pointers are printed hashed (%p), the same way in
 * the trace and here, so the events of each block can be told apart.
 */
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/umh.h>

#include <vcache.h>

#include "vct.h"

#define VCT_TR_BUF	SZ_1M
#define VCT_TR_DUMP	"/tmp/vct_trace.txt"

/*
 * tracefs files cannot be written or read with kernel_write() and
 * kernel_read() (they have ->write and ->read), so a shell does it, as a
 * user would.  $T is tracefs, mounted at /sys/kernel/tracing if it is not
 * yet, else reached through debugfs.
 */
#define VCT_TR_FIND \
	"T=/sys/kernel/tracing; " \
	"[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null; " \
	"[ -d $T/events ] || T=/sys/kernel/debug/tracing; " \
	"[ -d $T/events ] || exit 4; " \
	"[ -d $T/events/vcompound ] || exit 3; "
#define VCT_TR_ON	": > $T/trace && echo 1 > $T/events/vcompound/enable"
#define VCT_TR_OFF	"echo 0 > $T/events/vcompound/enable"

/* Runs @cmd with /bin/sh; its exit status, or a negative error. */
static int vct_tr_sh(const char *cmd)
{
	static char *envp[2] = { "PATH=/sbin:/bin:/usr/sbin:/usr/bin", NULL };
	char *argv[4] = { "/bin/sh", "-c", (char *)cmd, NULL };
	int ret = call_usermodehelper(argv[0], argv, envp, UMH_WAIT_PROC);

	return ret > 0 ? (ret >> 8) & 0xff : ret;
}

static void vct_tr_free_fn(void *addr)
{
	vct_free_atomic(addr);
}

/*
 * Checks that one line of the trace holds @event, the pointer @ptr as %p
 * prints it, and @fmt formatted.  Before the pointer-hashing key exists
 * (early boot on 5.10, which waits for the CRNG) %p prints a placeholder,
 * and then only the other fields are compared.
 */
static __printf(5, 6) void vct_tr_expect(struct vct *t, const char *trace,
					 const char *event, const void *ptr,
					 const char *fmt, ...)
{
	const char *line, *next;
	char want[128], hashed[32];
	bool use_ptr;
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	snprintf(hashed, sizeof(hashed), "=%p ", ptr);
	use_ptr = ptr && hashed[1] != '(';
	for (line = trace; *line; line = next) {
		next = strchrnul(line, '\n');
		len = next - line;
		if (*next)
			next++;
		if (strnstr(line, event, len) && strnstr(line, want, len) &&
		    (!use_ptr || strnstr(line, hashed, len)))
			return;
	}
	t->failed = true;
	vct_diag(t, "no event \"%s ...%s%s\" in the trace", event,
		 use_ptr ? hashed : "", want);
}

static void vct_trace_events(struct vct *t)
{
	const gfp_t gfp = GFP_KERNEL;
	void *phys = NULL, *virt = NULL, *obj = NULL;
	struct vcache *c = NULL;
	char *trace = NULL;
	ssize_t len;
	int ret;

	ret = vct_tr_sh(VCT_TR_FIND VCT_TR_ON);
	/* No tracefs, or no shell: nothing to check with. */
	if (ret == 4 || ret == -ENOENT) {
		t->skip = ret == 4 ? "no tracefs" : "no /bin/sh to reach tracefs";
		return;
	}
	/* tracefs without vcompound's events: they went missing. */
	if (!VCT_CHECK(t, ret != 3)) {
		vct_diag(t, "tracefs has no events/vcompound");
		return;
	}
	if (!VCT_CHECK(t, ret == 0)) {
		vct_diag(t, "enabling the events: %d", ret);
		return;
	}
	trace = kvmalloc(VCT_TR_BUF, GFP_KERNEL);
	if (!VCT_CHECK(t, trace))
		goto out;

	phys = vcompound_alloc(gfp, 1);
	if (!vct_set_fallback(t, true))
		virt = vcompound_alloc(gfp, 2);
	vct_set_fallback(t, false);
	c = vcache_create("vct_trace", 128, 0, 0, NULL);
	if (c)
		obj = vcache_alloc(c, gfp);
	vcache_free(c, obj);
	vcache_destroy(c);
	vct_free(t, phys);
	VCT_CHECK(t, vct_run_in(VCT_HARDIRQ, vct_tr_free_fn, virt));
	vcompound_drain();

	ret = vct_tr_sh(VCT_TR_FIND VCT_TR_OFF " && cat $T/trace > " VCT_TR_DUMP);
	if (!VCT_CHECK(t, ret == 0))
		vct_diag(t, "disabling the events, saving the trace: %d", ret);
	if (!VCT_CHECK(t, phys && virt && obj))
		goto out;
	len = vct_read_file(VCT_TR_DUMP, trace, VCT_TR_BUF);
	if (!VCT_CHECK(t, len > 0))
		goto out;

	vct_tr_expect(t, trace, "vcompound_alloc: addr=", phys,
		      " order=1 gfp=%#lx nid=%d virtual=0",
		      (__force unsigned long)gfp, NUMA_NO_NODE);
	vct_tr_expect(t, trace, "vcompound_fallback: order=2", NULL,
		      " gfp=%#lx reason=always_fallback",
		      (__force unsigned long)gfp);
	vct_tr_expect(t, trace, "vcompound_alloc: addr=", virt,
		      " order=2 gfp=%#lx nid=%d virtual=1",
		      (__force unsigned long)gfp, NUMA_NO_NODE);
	vct_tr_expect(t, trace, "vcompound_free: addr=", phys,
		      " order=1 virtual=0 deferred=0");
	vct_tr_expect(t, trace, "vcompound_free: addr=", virt,
		      " order=2 virtual=1 deferred=1");
	vct_tr_expect(t, trace, "vcompound_defer: addr=", virt,
		      " order=2 hardirq=1 softirq=0 irqs_off=1");
	vct_tr_expect(t, trace, "vcache_alloc: cache=vct_trace obj=", obj,
		      " size=128");
	vct_tr_expect(t, trace, "vcache_free: cache=vct_trace obj=", obj,
		      " size=128");
	vct_tr_expect(t, trace, "vcache_slab_alloc: cache=vct_trace slab=",
		      NULL, " virtual=0 objects=");
	vct_tr_expect(t, trace, "vcache_slab_free: cache=vct_trace slab=",
		      NULL, " virtual=0 objects=");
	if (t->failed)
		vct_diag(t, "trace: %zd bytes", len);
out:
	vct_tr_sh(VCT_TR_FIND VCT_TR_OFF "; rm -f " VCT_TR_DUMP);
	kvfree(trace);
}

void vct_trace_cases(void (*run)(const char *name,
				 void (*fn)(struct vct *t)))
{
	run("trace_events_through_tracefs", vct_trace_events);
}
