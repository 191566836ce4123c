; The native baselines of the exit benchmark: the same loops the bench guest runs, without a hypervisor.
bits 64
default rel
section .text
global bench_call_loop, bench_out_loop

; A hypercall without a hypervisor: a call into a stub that sets eax and returns.
bench_call_loop:            ; (ulong n)
    mov rcx, rdi
.next:
    call .stub
    dec rcx
    jnz .next
    ret
.stub:
    mov eax, 17
    ret

; Port output that QEMU itself handles (port 0x80).
bench_out_loop:             ; (ulong n)
    mov rcx, rdi
    xor eax, eax
.next:
    out 0x80, al
    dec rcx
    jnz .next
    ret
