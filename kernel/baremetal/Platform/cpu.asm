; Privileged instructions the managed kernel cannot express, as System V functions.
bits 64
default rel
section .text

global cpu_outb, cpu_inb, cpu_outw, cpu_inw, cpu_outl, cpu_inl
global cpu_rdmsr, cpu_wrmsr, cpu_cpuid, cpu_rdtsc
global cpu_read_cr0, cpu_read_cr2, cpu_read_cr3, cpu_read_cr4, cpu_write_cr3, cpu_write_cr4
global cpu_lidt, cpu_sti, cpu_cli, cpu_hlt, cpu_pause, cpu_invlpg, cpu_read_rbp, cpu_read_rsp

cpu_outb:               ; (port, value)
    mov edx, edi
    mov eax, esi
    out dx, al
    ret
cpu_inb:
    mov edx, edi
    xor eax, eax
    in al, dx
    ret
cpu_outw:
    mov edx, edi
    mov eax, esi
    out dx, ax
    ret
cpu_inw:
    mov edx, edi
    xor eax, eax
    in ax, dx
    ret
cpu_outl:
    mov edx, edi
    mov eax, esi
    out dx, eax
    ret
cpu_inl:
    mov edx, edi
    in eax, dx
    ret

cpu_rdmsr:              ; ulong (msr)
    mov ecx, edi
    rdmsr
    shl rdx, 32
    or rax, rdx
    ret
cpu_wrmsr:              ; (msr, value)
    mov ecx, edi
    mov eax, esi
    mov rdx, rsi
    shr rdx, 32
    wrmsr
    ret

cpu_cpuid:              ; (leaf, subleaf, uint* out4)
    push rbx
    mov eax, edi
    mov ecx, esi
    mov r8, rdx
    cpuid
    mov [r8], eax
    mov [r8 + 4], ebx
    mov [r8 + 8], ecx
    mov [r8 + 12], edx
    pop rbx
    ret

cpu_rdtsc:
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret

cpu_read_cr0:
    mov rax, cr0
    ret
cpu_read_cr2:
    mov rax, cr2
    ret
cpu_read_cr3:
    mov rax, cr3
    ret
cpu_read_cr4:
    mov rax, cr4
    ret
cpu_write_cr3:
    mov cr3, rdi
    ret
cpu_write_cr4:
    mov cr4, rdi
    ret

cpu_lidt:               ; (void* descriptor)
    lidt [rdi]
    ret
cpu_sti:
    sti
    ret
cpu_cli:
    cli
    ret
cpu_hlt:
    hlt
    ret
cpu_pause:
    pause
    ret
cpu_invlpg:
    invlpg [rdi]
    ret
cpu_read_rbp:           ; the caller's frame pointer
    mov rax, rbp
    ret
cpu_read_rsp:
    lea rax, [rsp + 8]
    ret

; Deliberate faults for the exception-report tests.
global cpu_ud2, cpu_read_at
cpu_ud2:
    ud2
    ret
cpu_read_at:            ; ulong (address)
    mov rax, [rdi]
    ret
