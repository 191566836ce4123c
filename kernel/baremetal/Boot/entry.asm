; Multiboot 1 + 2 entry. The loader leaves us in 32-bit protected mode with paging off; we build
; an identity map of the first 4 GiB (2 MiB pages), enter long mode with SSE enabled and call the
; managed kmain(magic, info) on a 16-byte aligned stack.
bits 32
default rel

extern kmain
extern __image_start, __data_end, __bss_end

MB1_MAGIC equ 0x1BADB002
MB1_FLAGS equ (1 << 0) | (1 << 1) | (1 << 16)   ; page-aligned modules, memory map, address fields
MB2_MAGIC equ 0xE85250D6

STACK_SIZE equ 256 * 1024
HEAP_SIZE  equ 24 * 1024 * 1024

section .multiboot progbits alloc noexec nowrite align=8
align 4
mb1_header:
    dd MB1_MAGIC
    dd MB1_FLAGS
    dd -(MB1_MAGIC + MB1_FLAGS)
    dd mb1_header           ; header_addr: the address fields let QEMU -kernel load the flat image
    dd __image_start        ; load_addr
    dd __data_end           ; load_end_addr
    dd __bss_end            ; bss_end_addr
    dd entry32              ; entry_addr
align 8
mb2_header:
    dd MB2_MAGIC
    dd 0                    ; i386 protected mode
    dd mb2_end - mb2_header
    dd -(MB2_MAGIC + (mb2_end - mb2_header))
    dw 0, 0                 ; end tag
    dd 8
mb2_end:

section .text
global entry32
entry32:
    cli
    cld
    mov esi, eax            ; multiboot magic
    mov ebp, ebx            ; multiboot information
    mov esp, boot_stack_top

    ; PD: 2048 entries of 2 MiB (present, writable, large) cover 0..4 GiB.
    mov edi, boot_pd
    mov eax, 0x83
    mov ecx, 2048
.fill_pd:
    mov [edi], eax
    mov dword [edi + 4], 0
    add eax, 0x200000
    add edi, 8
    loop .fill_pd

    ; PDPT[0..3] -> the four page directories; PML4[0] -> PDPT.
    mov edi, boot_pdpt
    mov eax, boot_pd + 3
    mov ecx, 4
.fill_pdpt:
    mov [edi], eax
    mov dword [edi + 4], 0
    add eax, 4096
    add edi, 8
    loop .fill_pdpt
    mov eax, boot_pdpt + 3
    mov [boot_pml4], eax
    mov dword [boot_pml4 + 4], 0

    mov eax, boot_pml4
    mov cr3, eax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)   ; PAE, OSFXSR, OSXMMEXCPT
    mov cr4, eax
    mov ecx, 0xC0000080                        ; EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)               ; LME, NXE
    wrmsr
    mov eax, cr0
    and eax, ~(1 << 2)                         ; EM off: SSE instructions execute
    or eax, (1 << 31) | (1 << 1) | (1 << 0)    ; PG, MP, PE
    mov cr0, eax

    lgdt [gdt64_pointer]
    jmp 0x08:entry64

bits 64
entry64:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    fninit
    mov edi, esi            ; kmain(magic, info)
    mov esi, ebp
    xor ebp, ebp            ; the frame walk stops here
    call kmain
.halt:
    cli
    hlt
    jmp .halt

; void boot_layout(ulong* out): image start/end, boot stack bottom/top, heap start/end.
global boot_layout
boot_layout:
    lea rax, [__image_start]
    mov [rdi], rax
    lea rax, [__bss_end]
    mov [rdi + 8], rax
    lea rax, [boot_stack_bottom]
    mov [rdi + 16], rax
    lea rax, [boot_stack_top]
    mov [rdi + 24], rax
    lea rax, [kernel_heap]
    mov [rdi + 32], rax
    lea rax, [kernel_heap + HEAP_SIZE]
    mov [rdi + 40], rax
    ret

section .rodata
align 16
gdt64:
    dq 0
    dq 0x00AF9A000000FFFF   ; 0x08: 64-bit code
    dq 0x00CF92000000FFFF   ; 0x10: data
gdt64_end:
gdt64_pointer:
    dw gdt64_end - gdt64 - 1
    dq gdt64

section .bss
align 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4 * 4096
global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    resb STACK_SIZE
boot_stack_top:
align 4096
kernel_heap:
    resb HEAP_SIZE
