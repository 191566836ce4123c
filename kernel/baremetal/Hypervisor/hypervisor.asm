; The running domain's id as a plain symbol, for debuggers (-1: the hypervisor itself).
bits 64
default rel
section .data
global micro_running_domain
align 4
micro_running_domain: dd -1

section .text
global running_domain_set
running_domain_set:
    mov [micro_running_domain], edi
    ret
