; The few runtime entry points ilc-generated code calls that are simplest as machine code:
; memory fill/copy, write barriers (plain stores: there is no GC), and no-op transition hooks.
bits 64
default rel
section .text

global memset, memcpy, memmove
global RhpAssignRef, RhpCheckedAssignRef, RhpByRefAssignRef
global RhpReversePInvoke, RhpReversePInvokeReturn, RhpPInvoke, RhpPInvokeReturn
global RhpStackProbe, RhpGcPoll

; void* memset(void* dst (rdi), int value (esi), size_t n (rdx))
memset:
    mov r8, rdi
    mov eax, esi
    mov rcx, rdx
    rep stosb
    mov rax, r8
    ret

; void* memcpy(void* dst (rdi), const void* src (rsi), size_t n (rdx))
memcpy:
    mov rax, rdi
    mov rcx, rdx
    rep movsb
    ret

; memcpy that tolerates overlap: copies backwards when dst is above src.
memmove:
    mov rax, rdi
    mov rcx, rdx
    cmp rdi, rsi
    jbe .forward
    lea rdi, [rdi + rdx - 1]
    lea rsi, [rsi + rdx - 1]
    std
    rep movsb
    cld
    ret
.forward:
    rep movsb
    ret

; dst (rdi) = ref (rsi)
RhpAssignRef:
RhpCheckedAssignRef:
    mov [rdi], rsi
    ret

; *rdi = *rsi, then both advance by a pointer (the barrier's contract)
RhpByRefAssignRef:
    mov rcx, [rsi]
    mov [rdi], rcx
    add rdi, 8
    add rsi, 8
    ret

; No threads to attach, no GC to poll, no guard pages to probe.
RhpReversePInvoke:
RhpReversePInvokeReturn:
RhpPInvoke:
RhpPInvokeReturn:
RhpStackProbe:
RhpGcPoll:
    ret

section .data
global __security_cookie
align 8
__security_cookie: dq 0x2f5e6a4b1c3d7e91

section .text
; Reached when managed code detects corrupted state (a failed stack cookie check).
extern kernel_fail_fast
global RhpFallbackFailFast
RhpFallbackFailFast:
    and rsp, -16
    call kernel_fail_fast
.hang:
    cli
    hlt
    jmp .hang

; The module's ReadyToRun header (emitted by ilc): where the GC static bases and eager cctors are listed.
extern __ReadyToRunHeader
global runtime_module_header
runtime_module_header:
    lea rax, [__ReadyToRunHeader]
    ret

; long interlocked_cmpxchg64(long* location (rdi), long value (rsi), long comparand (rdx))
global interlocked_cmpxchg64, interlocked_cmpxchg32
interlocked_cmpxchg64:
    mov rax, rdx
    lock cmpxchg [rdi], rsi
    ret
interlocked_cmpxchg32:
    mov eax, edx
    lock cmpxchg [rdi], esi
    ret
