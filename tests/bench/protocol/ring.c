/*
 * The C baseline of the ring benchmark: the same record ring as protocol/Rings/RecordRing
 * (same header offsets, 8-byte-aligned [u32 length][payload] records, free-running indices,
 * Xen-style event indices with a full fence before the notify check, futex sleep on the index)
 * and the same raw workload as tests/peers/ringpeer (fixed-length records, sequence number checked).
 *
 * usage: ringc produce|consume PATH REGION_BYTES COUNT LEN   (PATH is /proc/PID/fd/N of the memfd)
 * Compiled by micro-bench-protocol at run time: gcc -O2 -o ringc ring.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { MAGIC = 0x474E5252, HEADER = 0x100, PROD = 0x40, CONS_EVENT = 0x48, CONS = 0x80, PROD_EVENT = 0x88 };
enum { SPINS_BEFORE_SLEEP = 200 };

static uint8_t *region, *data;
static uint32_t size, limit;

#define WORD(off) ((volatile uint32_t *)(region + (off)))
#define LOAD(off) __atomic_load_n((uint32_t *)(region + (off)), __ATOMIC_ACQUIRE)

static void store_index(int off, uint32_t index, uint32_t tag)
{
    __atomic_store_n((uint64_t *)(region + off), (uint64_t)index | (uint64_t)tag << 32, __ATOMIC_RELEASE);
}

static int crossed(uint32_t old, uint32_t now, uint32_t ev) { return (uint32_t)(now - ev) < (uint32_t)(now - old); }
static uint32_t span_of(uint32_t len) { return (4 + len + 7) & ~7u; }

static void copy_in(uint32_t index, const uint8_t *src, uint32_t n)
{
    uint32_t at = index & (size - 1), first = n < size - at ? n : size - at;
    memcpy(data + at, src, first);
    memcpy(data, src + first, n - first);
}

static void copy_out(uint32_t index, uint8_t *dst, uint32_t n)
{
    uint32_t at = index & (size - 1), first = n < size - at ? n : size - at;
    memcpy(dst, data + at, first);
    memcpy(dst + first, data, n - first);
}

static void futex_wait(int off, uint32_t expected)
{
    struct timespec t = { 0, 20 * 1000000L };
    syscall(SYS_futex, region + off, FUTEX_WAIT, expected, &t, NULL, 0);
}

static void futex_wake(int off) { syscall(SYS_futex, region + off, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0); }

static void spin(void)
{
    for (int i = 0; i < 10; i++)
        __builtin_ia32_pause();
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void fail(const char *what)
{
    fprintf(stderr, "ringc: %s\n", what);
    exit(3);
}

static int produce(uint32_t count, uint32_t len)
{
    uint8_t *buf = calloc(1, len);
    uint32_t prod = *WORD(PROD), tag = *WORD(PROD + 4), cons = LOAD(CONS);
    uint64_t messages = 0, notifies = 0, sleeps = 0;
    int64_t started = 0;
    uint32_t span = span_of(len);
    int idle = 0;
    if (len > limit)
        fail("record larger than the ring's limit");
    for (uint32_t seq = tag + 1; seq <= count;) {
        if (size - (prod - cons) < span) {
            uint32_t c = LOAD(CONS);
            if ((int32_t)(c - cons) < 0 || prod - c > size)
                fail("consumer index inconsistent");
            cons = c;
            if (size - (prod - cons) < span) {
                if (++idle < SPINS_BEFORE_SLEEP) {
                    spin();
                    continue;
                }
                *WORD(CONS_EVENT) = prod + span - size;
                __atomic_thread_fence(__ATOMIC_SEQ_CST);
                cons = LOAD(CONS);
                if (size - (prod - cons) < span) {
                    futex_wait(CONS, cons);
                    sleeps++;
                }
                idle = 0;
                continue;
            }
        }
        memcpy(buf, &(uint64_t){ seq }, 8);
        *(uint32_t *)(data + (prod & (size - 1))) = len;
        copy_in(prod + 4, buf, len);
        uint32_t old = prod;
        prod += span;
        store_index(PROD, prod, seq);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (crossed(old, prod, LOAD(PROD_EVENT))) {
            futex_wake(PROD);
            notifies++;
        }
        if (messages++ == 0)
            started = now_ns();
        seq++;
        idle = 0;
    }
    printf("producer done: messages=%llu bytes=%llu notifies=%llu sleeps=%llu elapsed_ns=%lld last_seq=%u\n",
           (unsigned long long)messages, (unsigned long long)messages * len, (unsigned long long)notifies,
           (unsigned long long)sleeps, (long long)(started ? now_ns() - started : 0), count);
    return 0;
}

static int consume(uint32_t count, uint32_t len)
{
    uint8_t *buf = calloc(1, limit + 8);
    uint32_t cons = *WORD(CONS), tag = *WORD(CONS + 4), prod = LOAD(PROD);
    uint64_t messages = 0, notifies = 0, sleeps = 0;
    int64_t started = 0;
    int idle = 0;
    while (tag < count) {
        if (prod == cons) {
            uint32_t p = LOAD(PROD);
            if ((int32_t)(p - prod) < 0 || p - cons > size)
                fail("producer index inconsistent");
            prod = p;
            if (prod == cons) {
                if (++idle < SPINS_BEFORE_SLEEP) {
                    spin();
                    continue;
                }
                *WORD(PROD_EVENT) = cons + 1;
                __atomic_thread_fence(__ATOMIC_SEQ_CST);
                if (LOAD(PROD) == cons) {
                    futex_wait(PROD, cons);
                    sleeps++;
                }
                idle = 0;
                continue;
            }
        }
        idle = 0;
        uint32_t n = *(uint32_t *)(data + (cons & (size - 1)));
        if (n > limit || span_of(n) > prod - cons)
            fail("record length inconsistent");
        copy_out(cons + 4, buf, n);
        uint64_t seq;
        memcpy(&seq, buf, 8);
        if (n != len || seq != (uint64_t)tag + 1)
            fail("raw record wrong");
        uint32_t old = cons;
        cons += span_of(n);
        tag++;
        store_index(CONS, cons, tag);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (crossed(old, cons, LOAD(CONS_EVENT))) {
            futex_wake(CONS);
            notifies++;
        }
        if (messages++ == 0)
            started = now_ns();
    }
    printf("consumer done: messages=%llu bytes=%llu notifies=%llu sleeps=%llu elapsed_ns=%lld last_seq=%u\n",
           (unsigned long long)messages, (unsigned long long)messages * len, (unsigned long long)notifies,
           (unsigned long long)sleeps, (long long)(started ? now_ns() - started : 0), tag);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: ringc produce|consume PATH REGION_BYTES COUNT LEN\n");
        return 2;
    }
    long length = atol(argv[3]);
    int fd = open(argv[2], O_RDWR);
    if (fd < 0)
        fail("cannot open the memfd");
    region = mmap(NULL, (size_t)length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (region == MAP_FAILED)
        fail("mmap failed");
    size = *WORD(8);
    limit = *WORD(12);
    if (*WORD(0) != MAGIC || (size & (size - 1)) || HEADER + (long)size > length)
        fail("bad ring header");
    data = region + HEADER;
    printf("ready\n");
    fflush(stdout);
    uint32_t count = (uint32_t)strtoul(argv[4], NULL, 10), len = (uint32_t)atoi(argv[5]);
    int rc = strcmp(argv[1], "produce") == 0 ? produce(count, len) : consume(count, len);
    fflush(stdout);
    return rc;
}
