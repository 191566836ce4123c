; Interrupt entry stubs: each pushes a uniform frame (error code or 0, vector, all GPRs), saves the
; FPU/SSE state (managed handlers use XMM registers) and calls kernel_interrupt(InterruptFrame*).
bits 64
default rel
section .text
extern kernel_interrupt

%macro STUB 1
isr_%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
    push 0                  ; no error code from the CPU
%endif
    push %1
    jmp isr_common
%endmacro

%assign v 0
%rep 48
STUB v
%assign v v + 1
%endrep
STUB 255

isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp            ; InterruptFrame* (16-byte aligned: the CPU aligned before pushing)
    sub rsp, 512
    fxsave [rsp]
    call kernel_interrupt
    fxrstor [rsp]
    add rsp, 512
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16             ; vector, error code
    iretq

; ulong interrupt_stub(int vector): the stub's address, or 0 for vectors without one.
global interrupt_stub
interrupt_stub:
    cmp edi, 255
    je .spurious
    cmp edi, 48
    jae .none
    lea rax, [stub_table]
    mov rax, [rax + rdi * 8]
    ret
.spurious:
    lea rax, [isr_255]
    ret
.none:
    xor eax, eax
    ret

section .rodata
align 8
stub_table:
%assign v 0
%rep 48
    dq isr_ %+ v
%assign v v + 1
%endrep
