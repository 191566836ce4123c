/*
 * LD_PRELOAD shim that lets Xen's C xenstored run without a hypervisor, as the reference the
 * conformance tests compare against. It stands in for the few libxenctrl / libxenevtchn /
 * libxengnttab calls the daemon makes: every domain exists and is alive, event channels are
 * numbers that never fire, and a mapped grant is a fresh zeroed page or a guest's ring file (below),
 * so a test can act as the guest on the reference daemon's ring. Dom0's xenstore port
 * (/proc/xen/xsd_port) and ring page (/proc/xen/xsd_kva) are a small file and an anonymous page.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int dummy_handle;
static int evtchn_fd = -1;
static uint32_t next_port = 10;

void *xc_interface_open(void *logger, void *dombuild_logger, unsigned open_flags)
{
    (void)logger; (void)dombuild_logger; (void)open_flags;
    return &dummy_handle;
}

int xc_interface_close(void *xch) { (void)xch; return 0; }

/* xc_dominfo_t starts with domid, ssidref, then the flag bits (dying, crashed, shutdown, ...). */
int xc_domain_getinfo(void *xch, uint32_t first_domid, unsigned max_doms, void *info)
{
    (void)xch;
    if (max_doms == 0)
        return 0;
    uint32_t head[3] = { first_domid, 0, 0 };
    memcpy(info, head, sizeof head);
    return 1;
}

void *xenevtchn_open(void *logger, unsigned flags) { (void)logger; (void)flags; return &dummy_handle; }
void *xenevtchn_fdopen(void *logger, int fd, unsigned flags) { (void)logger; (void)fd; (void)flags; return &dummy_handle; }

/*
 * Event channels from guests: a FIFO $XENSTORED_RUNDIR/evtchn, where a test acting as a guest writes
 * the 32-bit local port it signals (remote port + 1000, see below). Without a run dir, nothing fires.
 */
int xenevtchn_fd(void *xce)
{
    (void)xce;
    if (evtchn_fd >= 0)
        return evtchn_fd;
    const char *rundir = getenv("XENSTORED_RUNDIR");
    if (rundir != NULL) {
        char path[4096];
        snprintf(path, sizeof path, "%s/evtchn", rundir);
        unlink(path);
        if (mkfifo(path, 0600) == 0)
            evtchn_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    }
    if (evtchn_fd < 0)
        evtchn_fd = eventfd(0, EFD_CLOEXEC); /* never signalled: no event ever arrives */
    return evtchn_fd;
}

int xenevtchn_bind_virq(void *xce, unsigned virq) { (void)xce; (void)virq; return (int)next_port++; }

/* The local port is the remote one + 1000, so a test knows which port to signal. */
int xenevtchn_bind_interdomain(void *xce, uint32_t domid, uint32_t remote_port)
{
    (void)xce; (void)domid;
    return (int)(remote_port + 1000);
}

int xenevtchn_pending(void *xce)
{
    (void)xce;
    uint32_t port;
    return read(xenevtchn_fd(xce), &port, sizeof port) == (ssize_t)sizeof port ? (int)port : -1;
}

int xenevtchn_notify(void *xce, uint32_t port) { (void)xce; (void)port; return 0; }
int xenevtchn_unbind(void *xce, uint32_t port) { (void)xce; (void)port; return 0; }
int xenevtchn_unmask(void *xce, uint32_t port) { (void)xce; (void)port; return 0; }

void *xengnttab_open(void *logger, unsigned flags) { (void)logger; (void)flags; return &dummy_handle; }
int xengnttab_close(void *xgt) { (void)xgt; return 0; }
int xengnttab_set_max_grants(void *xgt, uint32_t count) { (void)xgt; (void)count; return 0; }

/*
 * A guest's xenstore page: the file $XENSTORED_RUNDIR/ring-<domid> if a test created it (shared
 * with the test acting as the guest), else a fresh zeroed page nobody else sees.
 */
#define MAX_MAPPED 64
static void *mapped[MAX_MAPPED];

void *xengnttab_map_grant_ref(void *xgt, uint32_t domid, uint32_t ref, int prot)
{
    (void)xgt; (void)ref; (void)prot;
    const char *rundir = getenv("XENSTORED_RUNDIR");
    if (rundir != NULL) {
        char path[4096];
        snprintf(path, sizeof path, "%s/ring-%u", rundir, domid);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
            void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            close(fd);
            if (page == MAP_FAILED)
                return NULL;
            for (int i = 0; i < MAX_MAPPED; i++) {
                if (mapped[i] == NULL) {
                    mapped[i] = page;
                    return page;
                }
            }
            munmap(page, 4096);
            return NULL;
        }
    }
    void *page = aligned_alloc(4096, 4096);
    if (page != NULL)
        memset(page, 0, 4096);
    return page;
}

int xengnttab_unmap(void *xgt, void *start_address, uint32_t count)
{
    (void)xgt; (void)count;
    for (int i = 0; i < MAX_MAPPED; i++) {
        if (mapped[i] == start_address) {
            mapped[i] = NULL;
            return munmap(start_address, 4096);
        }
    }
    free(start_address);
    return 0;
}

/* A memfd holding `size` bytes, the first of them `text`. */
static int memfd_with(const char *text, size_t size)
{
    int fd = memfd_create("xenstored-shim", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    if (ftruncate(fd, (off_t)size) != 0 || (text != NULL && pwrite(fd, text, strlen(text), 0) < 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

int open(const char *path, int flags, ...)
{
    if (strcmp(path, "/proc/xen/xsd_port") == 0)
        return memfd_with("1", 1);
    if (strcmp(path, "/proc/xen/xsd_kva") == 0)
        return memfd_with(NULL, 4096);
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    static int (*real_open)(const char *, int, ...);
    if (real_open == NULL)
        real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    return real_open(path, flags, mode);
}
