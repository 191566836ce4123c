; One VMRUN round trip. Saves the host's callee-saved registers, GS base and FPU/SSE state, loads
; the guest's general registers (rax and rsp live in the VMCB), runs the guest until #VMEXIT and
; stores the guest's registers and FPU/SSE state back. tsc[0] gets the TSC just before the world
; switch into the guest, tsc[1] just after the one back (the exit benchmark splits its time with them).
;   void svm_run(ulong vmcb_pa (rdi), GuestRegisters* regs (rsi), void* guest_fx (rdx), void* host_fx (rcx),
;                ulong* tsc (r8))
; GuestRegisters: rbx, rcx, rdx, rsi, rdi, rbp, r8 .. r15 (8 bytes each, in that order).
bits 64
default rel
section .text
global svm_run

svm_run:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    push rsi                    ; regs      (at [rsp + 40] once the frame is complete)
    push rdi                    ; vmcb      ([rsp + 32])
    push rdx                    ; guest fx  ([rsp + 24])
    push rcx                    ; host fx   ([rsp + 16])
    mov r14, r8                 ; tsc (callee-saved until the guest's r14 is loaded)
    mov r12, rdx
    mov r13, rcx
    mov ecx, 0xC0000101         ; host GS base: VMLOAD replaces it with the guest's
    rdmsr
    shl rdx, 32
    or rax, rdx
    push rax                    ; [rsp + 8] host GS base
    push r14                    ; [rsp] tsc
    fxsave [r13]
    fxrstor [r12]
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov [r14], rax

    mov rax, rdi
    mov rbx, [rsi + 0]
    mov rcx, [rsi + 8]
    mov rdx, [rsi + 16]
    mov rdi, [rsi + 32]
    mov rbp, [rsi + 40]
    mov r8,  [rsi + 48]
    mov r9,  [rsi + 56]
    mov r10, [rsi + 64]
    mov r11, [rsi + 72]
    mov r12, [rsi + 80]
    mov r13, [rsi + 88]
    mov r14, [rsi + 96]
    mov r15, [rsi + 104]
    mov rsi, [rsi + 24]

    clgi
    vmload                      ; all three take the VMCB address in rax
    vmrun
    vmsave

    mov rax, [rsp + 40]         ; regs
    mov [rax + 0], rbx
    mov [rax + 8], rcx
    mov [rax + 16], rdx
    mov [rax + 24], rsi
    mov [rax + 32], rdi
    mov [rax + 40], rbp
    mov [rax + 48], r8
    mov [rax + 56], r9
    mov [rax + 64], r10
    mov [rax + 72], r11
    mov [rax + 80], r12
    mov [rax + 88], r13
    mov [rax + 96], r14
    mov [rax + 104], r15
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov rcx, [rsp]              ; tsc
    mov [rcx + 8], rax

    mov rax, [rsp + 8]
    mov rdx, rax
    shr rdx, 32
    mov ecx, 0xC0000101
    wrmsr
    stgi

    mov r12, [rsp + 24]         ; guest fx
    mov r13, [rsp + 16]         ; host fx
    fxsave [r12]
    fxrstor [r13]
    add rsp, 48
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

; GuestTable* guest_table_address()
extern guest_table
global guest_table_address
guest_table_address:
    lea rax, [guest_table]
    ret
